package org.gradc.compiler.opt;

import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.ir.Elementwise;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.ops.Constant;
import org.gradc.compiler.ir.ops.Fill;
import org.gradc.compiler.ir.ops.Leaf;

/**
 * Constant folding: a node whose inputs are all constants is replaced by its value, computed by the
 * op's own reference evaluation (so folding cannot disagree with the op). Elementwise ops on fills
 * give a fill even when batched; any other op is folded only when its result has no batch axis,
 * since the value would depend on the run-time batch size.
 */
public final class ConstantFolding implements Pass {

  @Override
  public String name() {
    return "constant-folding";
  }

  @Override
  public Graph run(Graph g) {
    return Rewriter.rebuild(g, (b, n, inputs) -> fold(b, n, inputs));
  }

  private static Node fold(Rewriter.Context b, Node n, List<Node> inputs)
      throws org.gradc.compiler.ir.ShapeError {
    if (n.op() instanceof Leaf || inputs.isEmpty()) {
      return b.copy(n, inputs);
    }
    boolean allFills = true;
    boolean allConstant = true;
    for (Node in : inputs) {
      allFills &= in.op() instanceof Fill;
      allConstant &=
          in.op() instanceof Constant || (in.op() instanceof Fill && !in.shape().isBatched());
    }
    if (allFills && n.op() instanceof Elementwise e) {
      double[] args = new double[inputs.size()];
      for (int i = 0; i < args.length; i++) {
        args[i] = ((Fill) inputs.get(i).op()).value();
      }
      return b.at(n).fill(e.scalar().eval(args), n.shape(), n.dtype());
    }
    if (allConstant && !n.shape().isBatched()) {
      Node copy = b.copy(n, inputs);
      List<double[]> values = new ArrayList<>();
      for (Node in : inputs) {
        values.add(in.op().evaluate(in, List.of(), 1));
      }
      return b.at(n).constant(n.op().evaluate(copy, values, 1), n.shape(), n.dtype());
    }
    return b.copy(n, inputs);
  }
}
