package org.gradc.compiler.codegen;

/**
 * The one place that decides how far generated loops are unrolled and blocked. The rules follow
 * what HotSpot's C2 rewards (see docs/architecture.md):
 *
 * <ul>
 *   <li>A static iteration space of at most {@link #fullUnrollLimit()} elements is fully unrolled:
 *       straight-line code, no loop overhead. Larger spaces keep real loops, because C2 only
 *       vectorizes counted {@code int} loops (and unrolls them itself).
 *   <li>The innermost loop always runs over the contiguous last axis, with a constant trip count
 *       where the shape is static.
 *   <li>Matmul runs in saxpy form and is register-blocked over {@link #matmulRows()} rows of the
 *       output: each loaded row of {@code b} feeds that many multiply-adds.
 *   <li>A matmul whose output rows are at most {@link #fullUnrollLimit()} wide unrolls the column
 *       loop too (a loop of 2 iterations is all overhead).
 * </ul>
 *
 * <p>Method size is the budget: when a kernel method comes out over {@link
 * MethodSizes#HUGE_METHOD_LIMIT} bytes, the generator retries with {@link #smaller()}, down to
 * {@link #MINIMAL}, which unrolls nothing.
 */
record UnrollPolicy(int fullUnrollLimit, int matmulRows, int level) {

  /** The default: full unrolling up to 16 elements, 4-row register blocks. */
  static final UnrollPolicy DEFAULT = new UnrollPolicy(16, 4, 0);

  /** No unrolling and no blocking: the smallest code. */
  static final UnrollPolicy MINIMAL = new UnrollPolicy(1, 1, 2);

  /** Fully unroll a static iteration space of {@code elements}? */
  boolean fullyUnroll(long elements) {
    return elements <= fullUnrollLimit;
  }

  /** Unroll the column loop of a matmul with rows {@code n} wide? */
  boolean unrollColumns(int n) {
    return n <= fullUnrollLimit;
  }

  /** A policy producing less code, or {@code null} when this is already {@link #MINIMAL}. */
  UnrollPolicy smaller() {
    return switch (level) {
      case 0 -> new UnrollPolicy(4, 2, 1);
      case 1 -> MINIMAL;
      default -> null;
    };
  }
}
