package org.gradc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link RowTeam} on a hand-written model whose "kernel" records the ranges it was given: the
 * split, the visibility of each range's writes, failures and shutdown. Generated kernels are tested
 * in the compiler's {@code RowSplitTest}.
 */
class RowTeamTest {
  /** A model whose rows record the thread and range they ran on, or throw. */
  private static final class RangeModel extends Model {
    final int[] owner = new int[1000];
    final List<int[]> ranges = new ArrayList<>();
    volatile int failAt = -1;

    RangeModel() {
      super(
          ModelSpec.parse(
              "model R\nprecision F32\noptimizer sgd\n"
                  + "tensor INPUT x F32 -1,1 of=- init=- classes=0\n"));
    }

    @Override
    protected void runRows(int kernel, int n, int lo, int hi) {
      if (lo == failAt) {
        throw new IllegalStateException("rows from " + lo + " of kernel " + kernel);
      }
      for (int r = lo; r < hi; r++) {
        owner[r] = kernel * 1000 + n + 1;
      }
      synchronized (ranges) {
        ranges.add(new int[] {lo, hi});
      }
    }

    @Override
    protected Object buffer(int slot) {
      return null;
    }

    @Override
    protected void allocate(int n) {}

    @Override
    protected void runForward(int n) {}

    @Override
    protected Model newInstance() {
      return new RangeModel();
    }
  }

  @Test
  void splitsWholeGrainsAcrossTheTeamAndSeesEveryWrite() {
    RangeModel m = new RangeModel();
    try (RowTeam team = new RowTeam(3)) {
      m.team(team);
      for (int step = 0; step < 200; step++) {
        java.util.Arrays.fill(m.owner, 0);
        m.ranges.clear();
        assertTrue(RowTeam.fork(m, 2, 5, 90, 8));
        for (int r = 0; r < 90; r++) {
          assertEquals(2006, m.owner[r], "row " + r + " at step " + step);
        }
        assertEquals(0, m.owner[90]);
        // 12 grains, 4 chunks per thread: a grain each, whichever thread ran it
        assertEquals(12, m.ranges.size());
        for (int[] range : m.ranges) {
          assertTrue(range[0] % 8 == 0 && (range[1] % 8 == 0 || range[1] == 90), range[0] + "");
        }
      }
      assertEquals(200, team.forks());
    }
  }

  @Test
  void runsNothingWithoutATeamOrWithFewRows() {
    RangeModel m = new RangeModel();
    assertFalse(RowTeam.fork(m, 0, 1, 100, 4));
    try (RowTeam team = new RowTeam(2)) {
      m.team(team);
      assertFalse(RowTeam.fork(m, 0, 1, 7, 4), "fewer than two grains");
      assertTrue(m.ranges.isEmpty());
      assertEquals(0, team.forks());
      assertSame(team, m.team());
      assertSame(null, m.copy().team(), "a copy runs alone");
    }
    try (RowTeam alone = new RowTeam(1)) {
      m.team(alone);
      assertFalse(RowTeam.fork(m, 0, 1, 100, 4));
    }
  }

  @Test
  void aWorkersExceptionIsThrownByTheCaller() {
    RangeModel m = new RangeModel();
    try (RowTeam team = new RowTeam(2)) {
      m.team(team);
      m.failAt = 32;
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> RowTeam.fork(m, 3, 1, 64, 4));
      assertEquals("rows from 32 of kernel 3", e.getMessage());
      // the team still works after a failure
      m.failAt = -1;
      assertTrue(RowTeam.fork(m, 3, 1, 64, 4));
    }
  }

  @Test
  void closeStopsTheWorkers() throws Exception {
    RowTeam team = new RowTeam(3);
    assertEquals(3, team.threads());
    assertEquals(2, workers());
    Thread.sleep(5); // past the spin: parked workers must wake up to stop
    team.close();
    assertEquals(0, workers());
    RangeModel m = new RangeModel();
    m.team(team);
    assertFalse(RowTeam.fork(m, 0, 1, 100, 4), "a closed team runs nothing");
  }

  private static long workers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("gradc-rows-") && t.isAlive())
        .count();
  }
}
