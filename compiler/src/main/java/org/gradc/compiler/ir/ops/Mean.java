package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * The mean over {@code axes}. When the batch axis is reduced the count is only known at run time,
 * so the VJP divides by a {@link BatchSize} node.
 */
public record Mean(List<Integer> axes, boolean keepdims) implements org.gradc.compiler.ir.Op {
  public static final Primitive PRIMITIVE =
      new Def(
          "mean",
          List.of(Parameter.tensor("x"), Def.ints("axes", new int[0]), Def.bool("keepdims", false)),
          "the mean over the given axes (all when none are given)",
          (e, a) -> e.mean(a.tensor("x"), a.bool("keepdims"), a.ints("axes")));

  public Mean {
    axes = List.copyOf(axes);
  }

  @Override
  public String name() {
    return "mean(axes=" + axes + (keepdims ? ", keepdims" : "") + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    return Reductions.infer("mean", axes, keepdims, inputs.get(0));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node x = out.input(0);
    Node spread = e.broadcastTo(e.reshape(g, Reductions.kept(x, axes)), x.shape());
    return List.of(e.div(spread, Reductions.count(e, x, axes)));
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    double[] s = Reductions.evaluate(out.input(0), axes, inputs.get(0), batch, 0, Double::sum);
    int n = Reductions.count(out.input(0), axes, batch);
    for (int i = 0; i < s.length; i++) {
      s[i] /= n;
    }
    return s;
  }
}
