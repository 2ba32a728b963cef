package org.gradc.compiler.ir.ops;

import java.util.Arrays;
import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.TensorType;

/**
 * A tensor (possibly batched) with every element {@code value}: literals, zeros, ones. Elementwise
 * with no inputs, so the code generator folds it into the loops that use it.
 */
public record Fill(double value, TensorType type) implements Leaf, ElementwiseOp {
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
