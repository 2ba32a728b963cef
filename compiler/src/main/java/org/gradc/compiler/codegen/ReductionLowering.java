package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Op;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ops.Mean;
import org.gradc.compiler.ir.ops.ReduceMax;
import org.gradc.compiler.ir.ops.Sum;

/**
 * {@code sum}, {@code mean} and {@code amax} over some axes: one {@link Kernel.Reduction}, an
 * affine loop nest whose reduced axes combine the element expression (its operand, recomputed in
 * place when it is an elementwise formula only this reduction reads).
 */
final class ReductionLowering implements OpLowering.Root {
  /** What the rule needs from an op: its axes, whether it keeps them, how it combines. */
  private record Spec(
      List<Integer> axes, boolean keepdims, Scalar.BinaryFn combine, boolean mean) {}

  @FunctionalInterface
  private interface Specs {
    Spec of(Node n);
  }

  static final ReductionLowering SUM =
      of(Sum.class, s -> new Spec(s.axes(), s.keepdims(), Scalar.BinaryFn.ADD, false));
  static final ReductionLowering MEAN =
      of(Mean.class, m -> new Spec(m.axes(), m.keepdims(), Scalar.BinaryFn.ADD, true));
  static final ReductionLowering MAX =
      of(ReduceMax.class, r -> new Spec(r.axes(), r.keepdims(), Scalar.BinaryFn.MAX, false));

  private static <O extends Op> ReductionLowering of(
      Class<O> type, java.util.function.Function<O, Spec> spec) {
    return new ReductionLowering(n -> spec.apply(type.cast(n.op())));
  }

  private final Specs specs;

  private ReductionLowering(Specs specs) {
    this.specs = specs;
  }

  @Override
  public String kind() {
    return "reduce";
  }

  @Override
  public List<Kernel> kernels(Node root, Context c, List<LoopStmt> epilogue) {
    Spec spec = specs.of(root);
    Node x = root.input(0);
    List<Ix> idx = Indexing.axisVars(x.shape().rank());
    List<Boolean> reduced = new ArrayList<>();
    List<Ix> outIdx = new ArrayList<>();
    for (int i = 0; i < x.shape().rank(); i++) {
      boolean r = spec.axes().contains(i);
      reduced.add(r);
      if (!r) {
        outIdx.add(idx.get(i));
      } else if (spec.keepdims()) {
        outIdx.add(Ix.ZERO);
      }
    }
    return List.of(
        new Kernel.Reduction(
            Indexing.dims(x.shape()),
            reduced,
            spec.combine(),
            c.read(x, idx),
            spec.mean() ? count(x, spec.axes()) : null,
            c.out(),
            Indexing.linear(outIdx, root.shape()),
            c.note()));
  }

  /** A mean's divisor: the static count, times {@code n} when the batch axis is reduced. */
  private static Fx count(Node x, List<Integer> axes) {
    int count = 1;
    boolean overBatch = false;
    for (int a : axes) {
      if (x.shape().dim(a) == Shape.BATCH) {
        overBatch = true;
      } else {
        count *= x.shape().dim(a);
      }
    }
    return overBatch ? new Fx.OfInt(Ix.mul(Ix.N, count)) : Fx.c(count);
  }
}
