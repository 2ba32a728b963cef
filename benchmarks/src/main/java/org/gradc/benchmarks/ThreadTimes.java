package org.gradc.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * What the training thread and its process had used at one moment; {@link #since} of two says where
 * an interval's wall time went. Take both on the training thread.
 *
 * <p>The wall time of an interval splits into the thread's CPU time, the time it was runnable but
 * waited for a core ({@code /proc/thread-self/schedstat}: the machine's load, or this process's
 * other threads: the JIT's compilers, the collector), and the rest, when it was blocked: at a
 * safepoint (a GC pause, a deoptimization), parked, asleep or waiting for I/O. On an idle machine a
 * one-thread training loop's wall time should be its CPU time; {@code Workload gradc-train} and
 * {@code gradc-mlp} report each part of their warm epoch, so that a wall-clock ratio between them
 * can be read (docs/performance.md, "Trainer.fit's wall clock").
 *
 * <p>Reading every thread's CPU ({@link TaskCpu#now}) takes the calling thread milliseconds, so a
 * snapshot reads the thread's own clocks before and after it, and an interval runs from the end of
 * the earlier snapshot to the start of the later one: the snapshots' own cost is in neither.
 *
 * @param taken the thread's clocks when the snapshot started
 * @param done the same when it ended
 * @param gcs collections so far, all collectors
 * @param gcMillis their milliseconds
 * @param tasks the CPU of every thread of the process
 */
record ThreadTimes(Clocks taken, Clocks done, long gcs, long gcMillis, TaskCpu tasks) {

  /**
   * The calling thread's clocks.
   *
   * @param wall {@link System#nanoTime}
   * @param cpu its CPU nanoseconds
   * @param runWait its nanoseconds runnable but not running (0 without schedstat)
   * @param allocated bytes it has allocated
   */
  record Clocks(long wall, long cpu, long runWait, long allocated) {
    static Clocks now() {
      var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long allocated = bean.getThreadAllocatedBytes(Thread.currentThread().getId());
      long cpu = bean.getCurrentThreadCpuTime();
      long runWait = TaskCpu.schedstat()[1];
      return new Clocks(System.nanoTime(), cpu, runWait, allocated);
    }
  }

  /** The calling thread's times now. */
  static ThreadTimes now() {
    Clocks taken = Clocks.now();
    long gcs = 0;
    long gcMillis = 0;
    for (var b : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcs += Math.max(0, b.getCollectionCount());
      gcMillis += Math.max(0, b.getCollectionTime());
    }
    TaskCpu tasks = TaskCpu.now();
    return new ThreadTimes(taken, Clocks.now(), gcs, gcMillis, tasks);
  }

  /** The interval from the end of {@code earlier} to the start of this. */
  Span since(ThreadTimes earlier) {
    Clocks from = earlier.done;
    return new Span(
        (taken.wall - from.wall) / 1e9,
        (taken.cpu - from.cpu) / 1e9,
        (taken.runWait - from.runWait) / 1e9,
        (taken.allocated - from.allocated) / 1e6,
        gcs - earlier.gcs,
        (gcMillis - earlier.gcMillis) / 1e3,
        tasks.since(earlier.tasks),
        tasks.busiest(earlier.tasks));
  }

  /**
   * One interval, in seconds (and megabytes).
   *
   * @param wall wall time
   * @param cpu the thread's CPU time
   * @param runWait the thread's time runnable but waiting for a core
   * @param allocatedMb megabytes the thread allocated
   * @param gcs collections in the interval
   * @param gcSeconds their pause time
   * @param process CPU of the process's threads by group (10 ms resolution; from snapshot to
   *     snapshot, so the training thread's includes the snapshots' own cost)
   * @param busiest the threads that used CPU, busiest first ({@link TaskCpu#busiest})
   */
  record Span(
      double wall,
      double cpu,
      double runWait,
      double allocatedMb,
      long gcs,
      double gcSeconds,
      TaskCpu.Cpu process,
      String busiest) {

    /** Wall time the thread was neither on a core nor waiting for one. */
    double blocked() {
      return Math.max(0, wall - cpu - runWait);
    }

    /** CPU seconds of every thread of the process. */
    double processCpu() {
      return (process.training() + process.jit() + process.gc() + process.other()) / 1e9;
    }

    /** The same with {@code other} added: two intervals back to back. */
    Span plus(Span other) {
      return new Span(
          wall + other.wall,
          cpu + other.cpu,
          runWait + other.runWait,
          allocatedMb + other.allocatedMb,
          gcs + other.gcs,
          gcSeconds + other.gcSeconds,
          new TaskCpu.Cpu(
              process.training() + other.process.training(),
              process.c1() + other.process.c1(),
              process.c2() + other.process.c2(),
              process.gc() + other.process.gc(),
              process.other() + other.process.other()),
          busiest + "; " + other.busiest);
    }

    /** One line for stderr. */
    String describe(String what) {
      return String.format(
          Locale.ROOT,
          "%s: wall %.3f s = thread CPU %.3f + waiting for a core %.3f + blocked %.3f (%d GC"
              + " pauses, %.3f s); allocated %.1f MB; process CPU %.2f s (training %.2f, C1 %.2f,"
              + " C2 %.2f, GC %.2f, other %.2f); threads (ms CPU): %s",
          what,
          wall,
          cpu,
          runWait,
          blocked(),
          gcs,
          gcSeconds,
          allocatedMb,
          processCpu(),
          process.training() / 1e9,
          process.c1() / 1e9,
          process.c2() / 1e9,
          process.gc() / 1e9,
          process.other() / 1e9,
          busiest);
    }

    /**
     * JSON fields {@code PREFIX_s}, {@code PREFIX_cpu_s}, {@code PREFIX_wait_s}, {@code
     * PREFIX_blocked_s}, {@code PREFIX_gc_s}, {@code PREFIX_jit_cpu_s}, {@code
     * PREFIX_process_cpu_s}, each followed by a comma and a space.
     */
    String json(String prefix) {
      return String.format(
          Locale.ROOT,
          "\"%1$s_s\": %2$.4f, \"%1$s_cpu_s\": %3$.4f, \"%1$s_wait_s\": %4$.4f,"
              + " \"%1$s_blocked_s\": %5$.4f, \"%1$s_gc_s\": %6$.4f, \"%1$s_jit_cpu_s\": %7$.2f,"
              + " \"%1$s_process_cpu_s\": %8$.2f, ",
          prefix,
          wall,
          cpu,
          runWait,
          blocked(),
          gcSeconds,
          process.jit() / 1e9,
          processCpu());
    }
  }
}
