package org.gradc.compiler.codegen;

import java.util.List;
import org.gradc.compiler.ir.Scalar;

/**
 * What the scheduler asks a back end to compute in one kernel method, before any decision about
 * loops, unrolling or instructions. Element bodies are written over axis variables {@code a0, a1,
 * …} (one per dimension, row-major) and name buffers by field; a back end places them in loops.
 */
sealed interface Kernel {

  /** Where the kernel came from, for dumps: {@code mlp.grad:12 relu(x @ W1 + b1)}. */
  String note();

  /**
   * Calls the case of {@code cases} for this variant. Back ends dispatch through this, so a new
   * variant does not compile until every back end handles it (Java 17 has no pattern switch).
   */
  <R> R match(Cases<R> cases);

  /** One method per variant. */
  interface Cases<R> {
    R pointwise(Pointwise p);

    R reduction(Reduction r);

    R matmul(Matmul m);

    R sequence(Sequence s);

    R loops(Loops l);
  }

  /**
   * Runs {@code element} once for every index of {@code dims}.
   *
   * @param dims extents: constants, or {@code n * c} for a batched leading axis
   */
  record Pointwise(List<Ix> dims, List<LoopStmt> element, String note) implements Kernel {
    public Pointwise {
      dims = List.copyOf(dims);
      element = List.copyOf(element);
    }

    @Override
    public <R> R match(Cases<R> cases) {
      return cases.pointwise(this);
    }
  }

  /**
   * {@code out[outIndex] = op over the reduced axes of element}, for every index of the kept axes.
   * {@code outIndex} uses only the kept axes' variables.
   *
   * @param op {@code ADD} or {@code MAX}
   * @param divisor what the result is divided by (a mean's count), or {@code null}
   */
  record Reduction(
      List<Ix> dims,
      List<Boolean> reduced,
      Scalar.BinaryFn op,
      Fx element,
      Fx divisor,
      String out,
      Ix outIndex,
      String note)
      implements Kernel {
    public Reduction {
      dims = List.copyOf(dims);
      reduced = List.copyOf(reduced);
    }

    /** What the combination starts from: 0 for a sum, -∞ for a maximum. */
    Fx identity() {
      return Fx.c(op == Scalar.BinaryFn.MAX ? Double.NEGATIVE_INFINITY : 0.0);
    }

    /**
     * Does every reduced axis come after every kept one? Then each output element is one running
     * value over a contiguous range (a row: {@code acc} in a register); otherwise the kept axes
     * interleave with reduced ones (a column sum over rows) and the result accumulates in memory.
     */
    boolean reducesSuffix() {
      boolean seenReduced = false;
      for (boolean red : reduced) {
        if (seenReduced && !red) {
          return false;
        }
        seenReduced |= red;
      }
      return true;
    }

    /**
     * The reduction accumulated in {@code out} as pointwise passes: the identity into every output
     * element, then {@code out[outIndex] = op(out[outIndex], element)} over the whole space in
     * row-major order (so each output element combines its terms in index order), then the division
     * by the divisor if any. With the last axis kept, the middle pass runs along contiguous output
     * elements, which is how a back end vectorizes a column reduction.
     */
    Sequence inMemory() {
      List<Ix> keptDims = new java.util.ArrayList<>();
      for (int i = 0; i < dims.size(); i++) {
        if (!reduced.get(i)) {
          keptDims.add(dims.get(i));
        }
      }
      // the kept axes' variables renumbered a0, a1, … for the passes over the kept axes only
      java.util.Map<String, Ix> renumber = new java.util.HashMap<>();
      for (int i = 0, k = 0; i < dims.size(); i++) {
        if (!reduced.get(i)) {
          renumber.put("a" + i, Ix.var("a" + k++));
        }
      }
      Ix keptIndex = Subst.ints(renumber).ix(outIndex);
      Fx identity = identity();
      List<Kernel> passes = new java.util.ArrayList<>();
      passes.add(
          new Pointwise(keptDims, List.of(new LoopStmt.Store(out, keptIndex, identity)), null));
      Fx current = new Fx.Load(out, outIndex);
      passes.add(
          new Pointwise(
              dims,
              List.of(new LoopStmt.Store(out, outIndex, Fx.bin(op, current, element))),
              note));
      if (divisor != null) {
        Fx scaled = Fx.div(new Fx.Load(out, keptIndex), divisor);
        passes.add(
            new Pointwise(keptDims, List.of(new LoopStmt.Store(out, keptIndex, scaled)), null));
      }
      return new Sequence(passes, note);
    }

    @Override
    public <R> R match(Cases<R> cases) {
      return cases.reduction(this);
    }
  }

  /**
   * {@code c[i, j] = Σ_k a(i, k) · b[k, j]} over {@code [m, k] × [k, n]}, then {@code epilogue} for
   * every {@code (i, j)} (axis variables {@code a0 = i}, {@code a1 = j}; the local {@code acc}
   * holds {@code c[i, j]}). {@code a} is any expression of {@code a0 = i, a1 = k}; {@code b} and
   * {@code c} are row-major buffers, so the innermost {@code j} loop is contiguous.
   */
  record Matmul(Ix m, Ix k, int n, Fx a, String b, String c, List<LoopStmt> epilogue, String note)
      implements Kernel {
    public Matmul {
      epilogue = List.copyOf(epilogue);
    }

    @Override
    public <R> R match(Cases<R> cases) {
      return cases.matmul(this);
    }
  }

  /**
   * A loop nest an op's rule writes itself, because no other variant expresses it: the window loops
   * of convolutions and pooling, whose bounds are clipped per output position ({@link Ix.Clamp}).
   * Statements use {@link Ix#N} for the batch size and name buffers by field. The scalar back end
   * emits them as they are (with {@link ConvTiles#FROM} = 0); the vector back end emits {@code
   * tiles}, when there are any and the channels fill a vector, and the loops only for the channels
   * past the tiles' last whole vector.
   *
   * @param tiles the register-tiled form of a convolution pass, or null (pooling, or operands that
   *     are not plain buffers)
   */
  record Loops(List<LoopStmt> body, ConvTiles tiles, String note) implements Kernel {
    public Loops {
      body = List.copyOf(body);
    }

    @Override
    public <R> R match(Cases<R> cases) {
      return cases.loops(this);
    }
  }

  /** Parts run one after the other in the same method. */
  record Sequence(List<Kernel> parts, String note) implements Kernel {
    public Sequence {
      parts = List.copyOf(parts);
    }

    @Override
    public <R> R match(Cases<R> cases) {
      return cases.sequence(this);
    }
  }
}
