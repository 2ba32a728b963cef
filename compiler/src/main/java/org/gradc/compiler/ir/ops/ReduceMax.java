package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * The maximum over {@code axes} (called {@code amax} in the language, as in NumPy, since {@code
 * max(a, b)} is the elementwise maximum). The cotangent is shared equally by the elements equal to
 * the maximum.
 */
public record ReduceMax(List<Integer> axes, boolean keepdims) implements org.gradc.compiler.ir.Op {
  public static final Primitive PRIMITIVE =
      new Def(
          "amax",
          List.of(Parameter.tensor("x"), Def.ints("axes", new int[0]), Def.bool("keepdims", false)),
          "the maximum over the given axes (all when none are given)",
          (e, a) -> e.amax(a.tensor("x"), a.bool("keepdims"), a.ints("axes")));

  public ReduceMax {
    axes = List.copyOf(axes);
  }

  @Override
  public String name() {
    return "amax(axes=" + axes + (keepdims ? ", keepdims" : "") + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    return Reductions.infer("amax", axes, keepdims, inputs.get(0));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node x = out.input(0);
    Node top = e.broadcastTo(e.reshape(out, Reductions.kept(x, axes)), x.shape());
    Node hit =
        e.where(
            e.compare(Scalar.BinaryFn.EQ, x, top), e.scalar(1, x.dtype()), e.scalar(0, x.dtype()));
    Node ties = e.broadcastTo(e.sum(hit, true, ints(axes)), x.shape());
    Node spread = e.broadcastTo(e.reshape(g, Reductions.kept(x, axes)), x.shape());
    return List.of(e.div(e.mul(spread, hit), ties));
  }

  private static int[] ints(List<Integer> axes) {
    return axes.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    return Reductions.evaluate(
        out.input(0), axes, inputs.get(0), batch, Double.NEGATIVE_INFINITY, Math::max);
  }
}
