package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * The sum over {@code axes} (sorted, non-negative; {@link Emit#sum} normalizes them), dropping them
 * or keeping them as extent 1. Its VJP broadcasts the cotangent back over the summed axes.
 */
public record Sum(List<Integer> axes, boolean keepdims) implements org.gradc.compiler.ir.Op {
  public static final Primitive PRIMITIVE =
      new Def(
          "sum",
          List.of(Parameter.tensor("x"), Def.ints("axes", new int[0]), Def.bool("keepdims", false)),
          "the sum over the given axes (all when none are given)",
          (e, a) -> e.sum(a.tensor("x"), a.bool("keepdims"), a.ints("axes")));

  public Sum {
    axes = List.copyOf(axes);
  }

  @Override
  public String name() {
    return "sum(axes=" + axes + (keepdims ? ", keepdims" : "") + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    return Reductions.infer("sum", axes, keepdims, inputs.get(0));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node x = out.input(0);
    return List.of(e.broadcastTo(e.reshape(g, Reductions.kept(x, axes)), x.shape()));
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    return Reductions.evaluate(out.input(0), axes, inputs.get(0), batch, 0, Double::sum);
  }
}
