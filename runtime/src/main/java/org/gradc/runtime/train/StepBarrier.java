package org.gradc.runtime.train;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A cyclic barrier for the fixed set of threads of one {@link ParallelStepRunner}, built for
 * hand-offs that come every few hundred microseconds: a thread that arrives early spins ({@link
 * Thread#onSpinWait}) for a while before it parks, so a phase that ends soon wakes it without a
 * park/unpark round trip through the kernel, and one that ends late (the trainer's validation
 * between epochs) costs no CPU. How long a thread spins adapts, per thread: it halves after a wait
 * the spin did not cover and doubles (up to the maximum) after one it did, so on a loaded machine,
 * where the thread waited for is often descheduled and a spinning thread would hold the core it
 * needs, spinning fades out. On a machine with fewer cores than threads there is no spinning at
 * all.
 *
 * <p>Happens-before: everything a thread did before {@link #await} is visible to every thread after
 * the same round's {@code await} returns (the round counter is volatile).
 */
final class StepBarrier {
  private final int parties;
  private final long maxSpinNanos;
  // per thread at index id * PAD (each written only by its own thread; apart, so that the writes
  // share no cache line)
  private final long[] spinNanos;
  private static final int PAD = 16;
  private final AtomicInteger arrived = new AtomicInteger();
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
    this.spinNanos = new long[parties * PAD];
    java.util.Arrays.fill(spinNanos, maxSpinNanos);
    this.threads = new Thread[parties];
    this.parked = new boolean[parties];
  }

  private static final long MIN_SPIN_NANOS = 1_000;

  /** Spin time for {@code threads} threads on this machine: 50 µs, or 0 with fewer cores. */
  static long defaultSpinNanos(int threads) {
    return Runtime.getRuntime().availableProcessors() >= threads ? 50_000 : 0;
  }

  /**
   * Waits until all {@code parties} threads have arrived at this round. {@code id} (0 .. parties-1)
   * names the calling thread, one id per thread for the barrier's life. Interrupts are not an exit:
   * the other threads are mid-step and will arrive within the step.
   */
  void await(int id) {
    int r = round;
    if (arrived.incrementAndGet() == parties) {
      arrived.set(0);
      round = r + 1;
      for (int i = 0; i < parties; i++) {
        if (i != id && readParked(i)) {
          LockSupport.unpark(threads[i]);
        }
      }
      return;
    }
    long spin = spinNanos[id * PAD];
    if (spin > 0) {
      long deadline = System.nanoTime() + spin;
      int spins = 0;
      while (round == r) {
        Thread.onSpinWait();
        if ((++spins & 63) == 0 && System.nanoTime() - deadline > 0) {
          break;
        }
      }
      // covered: spin longer next time; not covered: shorter (at least 1 µs, so it can recover)
      spinNanos[id * PAD] =
          round != r ? Math.min(maxSpinNanos, 2 * spin) : Math.max(MIN_SPIN_NANOS, spin / 2);
    }
    if (round == r) {
      threads[id] = Thread.currentThread();
      writeParked(id, true);
      while (round == r) {
        LockSupport.park(this);
      }
      writeParked(id, false);
    }
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
