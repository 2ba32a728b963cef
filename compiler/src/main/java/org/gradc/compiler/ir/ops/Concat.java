package org.gradc.compiler.ir.ops;

import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * Joins tensors of one type along {@code axis}; every other extent must agree. The batch axis
 * cannot be joined. The VJP slices the cotangent back into the parts. {@code stack} is a concat of
 * the parts reshaped to have extent 1 along the new axis.
 */
public record Concat(int axis) implements org.gradc.compiler.ir.Op {
  public static final Primitive PRIMITIVE =
      new Def(
          "concat",
          List.of(Parameter.tensor("a"), Parameter.tensor("b"), Def.integer("axis", -1)),
          "a and b joined along an axis (the last by default)",
          (e, a) -> e.concat(a.integer("axis"), List.of(a.tensor("a"), a.tensor("b"))));

  public static final Primitive STACK =
      new Def(
          "stack",
          List.of(Def.tensors("xs"), Def.integer("axis", 0)),
          "tensors of one type, such as h[1 .. T + 1], joined along a new axis",
          (e, a) -> e.stack(a.tensors("xs"), a.integer("axis")));

  @Override
  public String name() {
    return "concat(axis=" + axis + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    Broadcasting.sameFloat("concat", inputs);
    TensorType first = inputs.get(0);
    Shape s = first.shape();
    if (axis >= s.rank() || s.dim(axis) == Shape.BATCH) {
      throw new ShapeError(
          "E0310", "concat: cannot join " + Broadcasting.list(inputs) + " along axis " + axis);
    }
    int total = 0;
    for (TensorType t : inputs) {
      Shape o = t.shape();
      boolean fits = o.rank() == s.rank();
      for (int k = 0; fits && k < s.rank(); k++) {
        fits = k == axis || o.dim(k) == s.dim(k);
      }
      if (!fits) {
        throw new ShapeError(
            "E0310",
            "concat: cannot join " + Broadcasting.list(inputs) + " along axis " + axis,
            "all extents but the joined axis must agree");
      }
      total += o.dim(axis);
    }
    int[] dims = s.dims();
    dims[axis] = total;
    return new TensorType(first.dtype(), Shape.of(dims));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    List<Node> parts = new ArrayList<>();
    int start = 0;
    for (Node in : out.inputs()) {
      int end = start + in.shape().dim(axis);
      parts.add(e.slice(g, axis, start, end));
      start = end;
    }
    return parts;
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    int[] dims = out.shape().concrete(batch);
    int outer = 1;
    for (int k = 0; k < axis; k++) {
      outer *= dims[k];
    }
    int inner = Broadcasting.size(dims) / Math.max(1, outer * dims[axis]);
    double[] r = new double[Broadcasting.size(dims)];
    int at = 0;
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inputs.size(); i++) {
        int len = out.input(i).shape().dim(axis) * inner;
        System.arraycopy(inputs.get(i), o * len, r, at, len);
        at += len;
      }
    }
    return r;
  }
}
