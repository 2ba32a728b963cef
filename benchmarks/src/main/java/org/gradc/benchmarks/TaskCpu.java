package org.gradc.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of this process's threads by what they do, from {@code /proc/self/task} (Linux): the
 * training threads (the launcher's main thread, named {@code java}, and the trainer's {@code
 * gradc-shard-*} threads), HotSpot's C1 and C2 compiler threads (hidden from {@code ThreadMXBean}),
 * the garbage collector's threads, and the rest. {@link #since} of two snapshots says where an
 * interval's CPU went, in particular whether the JIT was still compiling during an epoch called
 * warm. Resolution: one clock tick (10 ms); empty where there is no /proc.
 *
 * <p>The difference is taken thread by thread, so a thread that ends in the interval (a previous
 * trainer's shard thread) does not subtract its CPU from the others'; the CPU of a thread that ends
 * before the later snapshot is not counted, so take it while the threads of interest live.
 */
final class TaskCpu {
  /** Nanoseconds per clock tick of {@code /proc/.../stat} (USER_HZ is 100 on Linux). */
  private static final long TICK_NANOS = 10_000_000L;

  private static final int TRAINING = 0;
  private static final int C1 = 1;
  private static final int C2 = 2;
  private static final int GC = 3;
  private static final int OTHER = 4;

  /** Per thread id: its group and CPU nanoseconds. */
  private final Map<String, long[]> threads;

  /** Per thread id: its name ({@code comm}, at most 15 characters). */
  private final Map<String, String> names;

  private TaskCpu(Map<String, long[]> threads, Map<String, String> names) {
    this.threads = threads;
    this.names = names;
  }

  /** The CPU of every live thread of this process so far. */
  static TaskCpu now() {
    Map<String, long[]> threads = new HashMap<>();
    Map<String, String> names = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(t.resolve("stat"));
        } catch (IOException ended) {
          continue;
        }
        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields 14 and 15 of stat (utime, stime); f starts at field 3
        long cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS;
        threads.put(t.getFileName().toString(), new long[] {group(comm), cpu});
        names.put(t.getFileName().toString(), comm);
      }
    } catch (IOException | RuntimeException e) {
      return new TaskCpu(Map.of(), Map.of());
    }
    return new TaskCpu(threads, names);
  }

  private static int group(String comm) {
    if (comm.equals("java") || comm.equals("main") || comm.startsWith("gradc-shard")) {
      return TRAINING;
    }
    if (comm.startsWith("C1 Compiler")) {
      return C1;
    }
    if (comm.startsWith("C2 Compiler")) {
      return C2;
    }
    if (comm.startsWith("GC Thread") || comm.startsWith("VM Thread")) {
      return GC;
    }
    return OTHER;
  }

  /** CPU nanoseconds by group of the threads alive now, since {@code earlier} (or their start). */
  Cpu since(TaskCpu earlier) {
    long[] ns = new long[5];
    threads.forEach(
        (tid, g) -> {
          long[] before = earlier.threads.get(tid);
          // a reused thread id belongs to a new thread if the CPU went down
          long base = before != null && before[0] == g[0] && before[1] <= g[1] ? before[1] : 0;
          ns[(int) g[0]] += g[1] - base;
        });
    return new Cpu(ns[TRAINING], ns[C1], ns[C2], ns[GC], ns[OTHER]);
  }

  /** CPU nanoseconds by group of the threads alive now, since they started. */
  Cpu total() {
    return since(new TaskCpu(Map.of(), Map.of()));
  }

  /**
   * The calling thread's scheduler statistics from {@code /proc/thread-self/schedstat}: nanoseconds
   * on a CPU, nanoseconds runnable but waiting for one (descheduled: the machine's load or this
   * process's other threads), and time slices; zeros where there is no such file. The wall time of
   * an interval minus both is the time the thread was blocked (sleeping, parked, at a safepoint,
   * waiting for I/O).
   */
  static long[] schedstat() {
    try {
      String[] f = Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split(" ");
      return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
    } catch (IOException | RuntimeException e) {
      return new long[3];
    }
  }

  /**
   * The threads that used CPU since {@code earlier}, busiest first, as {@code name ms} pairs
   * (threads of the same name summed): which thread competed with the training thread for the cores
   * in an interval.
   */
  String busiest(TaskCpu earlier) {
    Map<String, Long> byName = new java.util.TreeMap<>();
    threads.forEach(
        (tid, g) -> {
          long[] before = earlier.threads.get(tid);
          long base = before != null && before[0] == g[0] && before[1] <= g[1] ? before[1] : 0;
          if (g[1] > base) {
            byName.merge(names.get(tid), g[1] - base, Long::sum);
          }
        });
    StringBuilder s = new StringBuilder();
    byName.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            e ->
                s.append(s.isEmpty() ? "" : ", ")
                    .append(e.getKey())
                    .append(' ')
                    .append(e.getValue() / 1_000_000));
    return s.toString();
  }

  /**
   * CPU nanoseconds of one interval by thread group.
   *
   * @param training the main thread ({@code java}) and {@code gradc-shard-*}
   * @param c1 the C1 compiler threads
   * @param c2 the C2 compiler threads
   * @param gc the garbage collector's threads ({@code GC Thread#*}, {@code VM Thread})
   * @param other every other thread
   */
  record Cpu(long training, long c1, long c2, long gc, long other) {
    /** The C1 and C2 compiler threads together. */
    long jit() {
      return c1 + c2;
    }
  }
}
