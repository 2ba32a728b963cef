package org.gradc.runtime.train;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A cyclic barrier for the fixed set of threads of one {@link ParallelStepRunner}, built for
 * hand-offs that come every few hundred microseconds: a thread that arrives early spins ({@link
 * Thread#onSpinWait}) for a while before it parks, so a phase that ends soon wakes it without a
 * park/unpark round trip through the kernel, and one that ends late (the trainer's validation
 * between epochs) costs no CPU. How long a thread spins adapts, per thread, to how long its waits
 * actually were ({@link #nextSpin}): it doubles (up to the maximum) after a wait no longer than the
 * maximum, whether or not the spin covered it, and halves after a longer one. So on a loaded
 * machine, where the thread waited for is often descheduled and a spinning thread would hold the
 * core it needs, spinning fades out; and when the waits become short again (the first epoch's
 * interpreted code was slow, the JIT's is fast) it comes back within a few rounds. On a machine
 * with fewer cores than threads there is no spinning at all.
 *
 * <p>Happens-before: everything a thread did before {@link #await} is visible to every thread after
 * the same round's {@code await} returns (the round counter is volatile).
 */
final class StepBarrier {
  private final int parties;
  private final long maxSpinNanos;
  // per thread at index id * PAD its spin, at id * PAD + 1 its parks, at id * PAD + 2 its waits
  // (each written only by its own thread; apart, so that the writes share no cache line)
  private final long[] perThread;
  private static final int PAD = 16;
  private final AtomicInteger arrived = new AtomicInteger();
  // when the last thread of the current round arrived (written before round, read after it)
  private long releaseNanos;
  private volatile int round;
  private final Thread[] threads;
  private final boolean[] parked;

  /**
   * @param parties the number of threads that meet at each round
   * @param maxSpinNanos how long a waiting thread spins at most before it parks (0: park at once)
   */
  StepBarrier(int parties, long maxSpinNanos) {
    this.parties = parties;
    this.maxSpinNanos = maxSpinNanos;
    this.perThread = new long[parties * PAD];
    for (int i = 0; i < parties; i++) {
      perThread[i * PAD] = maxSpinNanos;
    }
    this.threads = new Thread[parties];
    this.parked = new boolean[parties];
  }

  private static final long MIN_SPIN_NANOS = 1_000;

  /** Spin time for {@code threads} threads on this machine: 50 µs, or 0 with fewer cores. */
  static long defaultSpinNanos(int threads) {
    return Runtime.getRuntime().availableProcessors() >= threads ? 50_000 : 0;
  }

  /**
   * The spin after a wait of {@code waitNanos} with a spin of {@code spin}: twice as long (at most
   * {@code maxSpin}) when spinning {@code maxSpin} would have covered the wait, half as long (at
   * least 1 µs) when not. The wait, not whether this spin covered it, decides: a rule that grew the
   * spin only after waits it covered could not recover from 1 µs, since waits shorter than that
   * hardly occur; one slow phase (the first epoch, before the JIT) then made every later wait park,
   * a park/unpark round trip per wait for the rest of the run.
   */
  static long nextSpin(long spin, long waitNanos, long maxSpin) {
    if (maxSpin <= 0) {
      return 0;
    }
    return waitNanos <= maxSpin
        ? Math.min(maxSpin, 2 * spin)
        : Math.max(Math.min(MIN_SPIN_NANOS, maxSpin), spin / 2);
  }

  /** How many times threads parked at this barrier so far (diagnostics; racy). */
  long parks() {
    long n = 0;
    for (int i = 0; i < parties; i++) {
      n += perThread[i * PAD + 1];
    }
    return n;
  }

  /** How many waits (arrivals that were not the last of their round) so far (diagnostics; racy). */
  long waits() {
    long n = 0;
    for (int i = 0; i < parties; i++) {
      n += perThread[i * PAD + 2];
    }
    return n;
  }

  /**
   * Waits until all {@code parties} threads have arrived at this round. {@code id} (0 .. parties-1)
   * names the calling thread, one id per thread for the barrier's life. Interrupts are not an exit:
   * the other threads are mid-step and will arrive within the step.
   */
  void await(int id) {
    int r = round;
    long arrival = System.nanoTime();
    if (arrived.incrementAndGet() == parties) {
      arrived.set(0);
      releaseNanos = arrival;
      round = r + 1;
      for (int i = 0; i < parties; i++) {
        if (i != id && readParked(i)) {
          LockSupport.unpark(threads[i]);
        }
      }
      return;
    }
    long spin = perThread[id * PAD];
    if (spin > 0) {
      long deadline = arrival + spin;
      int spins = 0;
      while (round == r) {
        Thread.onSpinWait();
        if ((++spins & 63) == 0 && System.nanoTime() - deadline > 0) {
          break;
        }
      }
    }
    if (round == r) {
      threads[id] = Thread.currentThread();
      writeParked(id, true);
      perThread[id * PAD + 1]++;
      while (round == r) {
        LockSupport.park(this);
      }
      writeParked(id, false);
    }
    perThread[id * PAD + 2]++;
    // the round is over, so releaseNanos is this round's (the next cannot end without this thread)
    perThread[id * PAD] = nextSpin(spin, releaseNanos - arrival, maxSpinNanos);
  }

  // the flags are read and written under the monitor so that "set flag, re-check round" in the
  // waiter and "bump round, read flag" in the last arriver cannot both miss each other
  private synchronized boolean readParked(int i) {
    return parked[i];
  }

  private synchronized void writeParked(int i, boolean value) {
    parked[i] = value;
  }
}
