package org.gradc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The data-parallel trainer's barrier: its spin rule and its rounds. */
class StepBarrierTest {
  private static final long MAX = 50_000;

  @Test
  void spinGrowsAfterWaitsTheMaximumWouldCover() {
    assertEquals(MAX, StepBarrier.nextSpin(MAX, 10_000, MAX));
    assertEquals(2_000, StepBarrier.nextSpin(1_000, 500, MAX));
    // a wait longer than this spin but within the maximum: spinning longer would have covered it
    assertEquals(2_000, StepBarrier.nextSpin(1_000, 20_000, MAX));
    assertEquals(MAX, StepBarrier.nextSpin(40_000, MAX, MAX));
  }

  @Test
  void spinShrinksAfterLongWaitsDownToOneMicrosecond() {
    assertEquals(25_000, StepBarrier.nextSpin(MAX, 2_000_000, MAX));
    assertEquals(1_000, StepBarrier.nextSpin(1_500, 2_000_000, MAX));
    assertEquals(1_000, StepBarrier.nextSpin(1_000, MAX + 1, MAX));
  }

  /**
   * The regression: a slow phase (a first epoch before the JIT, waits of milliseconds) brings the
   * spin down to 1 µs; once the waits are short again (20 µs) it must come back to the maximum. The
   * old rule grew the spin only after waits the spin itself covered, so it stayed at 1 µs and every
   * later wait parked.
   */
  @Test
  void spinRecoversAfterASlowPhase() {
    long spin = MAX;
    for (int i = 0; i < 100; i++) {
      spin = StepBarrier.nextSpin(spin, 3_000_000, MAX);
    }
    assertEquals(1_000, spin);
    int rounds = 0;
    while (spin < MAX) {
      spin = StepBarrier.nextSpin(spin, 20_000, MAX);
      rounds++;
    }
    assertEquals(6, rounds);
  }

  @Test
  void noSpinWithoutCores() {
    assertEquals(0, StepBarrier.nextSpin(0, 10, 0));
    assertEquals(0, StepBarrier.nextSpin(0, 10_000_000, 0));
  }

  /**
   * Rounds of two threads, spinning and parking: every round publishes what each thread wrote
   * before it, and each round has exactly one waiter.
   */
  @Test
  void roundsPublishWritesAndCountWaits() throws Exception {
    for (long maxSpin : new long[] {0, MAX}) {
      StepBarrier b = new StepBarrier(2, maxSpin);
      int rounds = 2_000;
      int[] value = new int[2];
      AtomicReference<String> error = new AtomicReference<>();
      Thread other =
          new Thread(
              () -> {
                for (int i = 1; i <= rounds; i++) {
                  value[1] = i;
                  b.await(1);
                  if (value[0] != i) {
                    error.compareAndSet(null, "round " + i + ": thread 1 saw " + value[0]);
                  }
                  b.await(1);
                }
              });
      other.start();
      for (int i = 1; i <= rounds; i++) {
        value[0] = i;
        b.await(0);
        assertEquals(i, value[1], "round " + i + ": thread 0");
        b.await(0);
      }
      other.join();
      assertEquals(null, error.get());
      assertEquals(2L * rounds, b.waits(), "one waiter per round");
      // a waiter parks unless the round ended before it got there
      assertTrue(b.parks() <= b.waits(), b.parks() + " parks, " + b.waits() + " waits");
    }
  }
}
