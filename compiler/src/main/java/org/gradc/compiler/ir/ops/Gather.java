package org.gradc.compiler.ir.ops;

import java.util.Arrays;
import java.util.List;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * Picks one element of the last axis of {@code x} per int label: {@code r[i] = x[i, labels[i]]}
 * (NumPy's {@code take_along_axis} on the last axis). {@code labels} has the shape of {@code x}
 * without its last axis. The VJP scatters the cotangent with a one-hot mask: {@code one_hot(labels)
 * ⊙ g[..., None]}.
 */
public record Gather() implements org.gradc.compiler.ir.IndexingOp {
  public static final Primitive PRIMITIVE =
      new Def(
          "gather",
          List.of(Parameter.tensor("x"), Parameter.tensor("labels")),
          "x[i, labels[i]]: one element of the last axis of x per int label",
          (e, a) -> e.gather(a.tensor("x"), a.tensor("labels")));

  @Override
  public String name() {
    return "gather";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType x = inputs.get(0);
    TensorType labels = inputs.get(1);
    Broadcasting.sameFloat("gather", List.of(x));
    Broadcasting.requireDType("gather", "int labels", labels, DType.I32);
    int[] dims = x.shape().dims();
    Shape rest = Shape.of(Arrays.copyOf(dims, Math.max(0, dims.length - 1)));
    if (dims.length == 0 || !rest.equals(labels.shape())) {
      throw new ShapeError(
          "E0315",
          "gather: labels " + labels + " do not fit " + x,
          "labels need the shape of x without its last axis");
    }
    return new TensorType(x.dtype(), rest);
  }

  @Override
  public int idBound(Node node, int input) {
    Shape x = node.input(0).shape();
    return input == 1 ? x.dim(x.rank() - 1) : 0;
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node x = out.input(0);
    int classes = x.shape().dim(x.shape().rank() - 1);
    Node mask = e.oneHot(out.input(1), classes, x.dtype());
    Node column = e.reshape(g, Reductions.kept(x, List.of(x.shape().rank() - 1)));
    return Arrays.asList(e.mul(mask, column), null);
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    double[] x = inputs.get(0);
    double[] labels = inputs.get(1);
    Shape xs = out.input(0).shape();
    int classes = xs.dim(xs.rank() - 1);
    double[] r = new double[labels.length];
    for (int i = 0; i < labels.length; i++) {
      r[i] = x[i * classes + label(labels[i], classes)];
    }
    return r;
  }

  /** A label checked against the number of classes. */
  static int label(double value, int classes) {
    int l = (int) value;
    if (l != value || l < 0 || l >= classes) {
      throw new IllegalArgumentException(
          "label " + value + " is out of range [0, " + classes + ")");
    }
    return l;
  }
}
