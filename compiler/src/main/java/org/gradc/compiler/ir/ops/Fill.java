package org.gradc.compiler.ir.ops;

import java.util.Arrays;
import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.TensorType;

/**
 * A tensor (possibly batched) with every element {@code value}: literals, zeros, ones, and the
 * language's constructors {@code zeros(shape)}, {@code ones(shape)}, {@code full(shape, value)}.
 * Elementwise with no inputs, so the code generator folds it into the loops that use it.
 */
public record Fill(double value, TensorType type) implements Leaf, ElementwiseOp {
  public static final Primitive ZEROS =
      new Def(
          "zeros",
          List.of(Def.shape("shape")),
          "a float tensor of the shape, such as [batch, 128], filled with 0",
          (e, a) -> e.fill(0, a.shape("shape")));

  public static final Primitive ONES =
      new Def(
          "ones",
          List.of(Def.shape("shape")),
          "a float tensor of the shape, such as [batch, 128], filled with 1",
          (e, a) -> e.fill(1, a.shape("shape")));

  public static final Primitive FULL =
      new Def(
          "full",
          List.of(Def.shape("shape"), Def.real("value")),
          "a float tensor of the shape, such as [batch, 128], filled with the value",
          (e, a) -> e.fill(a.real("value"), a.shape("shape")));

  @Override
  public String name() {
    return "fill(" + Constant.format(value) + ")";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Const(value);
  }

  @Override
  public TensorType infer(List<TensorType> inputs) {
    return type;
  }

  @Override
  public List<Node> vjp(Node out, Node cotangent, Graph.Builder b) {
    return List.of();
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    double[] v = new double[(int) type.shape().size(batch)];
    Arrays.fill(v, value);
    return v;
  }
}
