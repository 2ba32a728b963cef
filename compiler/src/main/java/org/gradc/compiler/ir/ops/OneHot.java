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
 * The one-hot encoding of int labels: a new last axis of {@code classes} extent, 1 at the label and
 * 0 elsewhere, in a float type. Labels are data, so nothing flows back into them.
 */
public record OneHot(int classes, DType dtype) implements org.gradc.compiler.ir.IndexingOp {
  public static final Primitive PRIMITIVE =
      new Def(
          "one_hot",
          List.of(Parameter.tensor("labels"), Def.integer("classes", null)),
          "the one-hot float encoding of int labels over the given number of classes",
          (e, a) -> e.oneHot(a.tensor("labels"), a.integer("classes"), e.builder().precision()));

  @Override
  public String name() {
    return "one_hot(" + classes + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType labels = inputs.get(0);
    Broadcasting.requireDType("one_hot", "int labels", labels, DType.I32);
    if (classes < 1) {
      throw new ShapeError("E0314", "one_hot: classes must be at least 1, got " + classes);
    }
    int[] in = labels.shape().dims();
    int[] dims = Arrays.copyOf(in, in.length + 1);
    dims[in.length] = classes;
    return new TensorType(dtype, Shape.of(dims));
  }

  @Override
  public int idBound(Node node, int input) {
    return classes;
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) {
    return Arrays.asList((Node) null);
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    double[] labels = inputs.get(0);
    double[] r = new double[labels.length * classes];
    for (int i = 0; i < labels.length; i++) {
      r[i * classes + Gather.label(labels[i], classes)] = 1;
    }
    return r;
  }
}
