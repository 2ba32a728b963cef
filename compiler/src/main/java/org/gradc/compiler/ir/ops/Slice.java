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
 * Elements {@code [start, end)} of {@code axis}. The batch axis cannot be sliced. The VJP pads the
 * cotangent with zeros back to the input's extent (a concat with fills).
 */
public record Slice(int axis, int start, int end) implements org.gradc.compiler.ir.Op {
  public static final Primitive PRIMITIVE =
      new Def(
          "slice",
          List.of(
              Parameter.tensor("x"),
              Def.integer("axis", null),
              Def.integer("start", null),
              Def.integer("end", null)),
          "the elements start (inclusive) to end (exclusive) along an axis",
          (e, a) ->
              e.slice(a.tensor("x"), a.integer("axis"), a.integer("start"), a.integer("end")));

  @Override
  public String name() {
    return "slice(axis=" + axis + ", " + start + ":" + end + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType x = inputs.get(0);
    Shape s = x.shape();
    if (axis >= s.rank() || s.dim(axis) == Shape.BATCH) {
      throw new ShapeError("E0311", "slice: cannot slice axis " + axis + " of " + x);
    }
    if (start < 0 || end <= start || end > s.dim(axis)) {
      throw new ShapeError(
          "E0311",
          "slice: range " + start + ":" + end + " does not fit axis " + axis + " of " + x,
          "need 0 <= start < end <= " + s.dim(axis));
    }
    int[] dims = s.dims();
    dims[axis] = end - start;
    return new TensorType(x.dtype(), Shape.of(dims));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Shape in = out.input(0).shape();
    List<Node> parts = new ArrayList<>();
    if (start > 0) {
      parts.add(e.fill(0, extent(in, start), g.dtype()));
    }
    parts.add(g);
    if (end < in.dim(axis)) {
      parts.add(e.fill(0, extent(in, in.dim(axis) - end), g.dtype()));
    }
    return List.of(e.concat(axis, parts));
  }

  private Shape extent(Shape s, int n) {
    int[] dims = s.dims();
    dims[axis] = n;
    return Shape.of(dims);
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    int[] dims = out.input(0).shape().concrete(batch);
    int outer = 1;
    for (int k = 0; k < axis; k++) {
      outer *= dims[k];
    }
    int inner = Broadcasting.size(dims) / Math.max(1, outer * dims[axis]);
    int len = (end - start) * inner;
    double[] in = inputs.get(0);
    double[] r = new double[outer * len];
    for (int o = 0; o < outer; o++) {
      System.arraycopy(in, (o * dims[axis] + start) * inner, r, o * len, len);
    }
    return r;
  }
}
