package org.gradc.compiler.opt;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;

/**
 * Dead-code elimination: keeps only the nodes that a role (input, param, output, loss, gradient)
 * needs, directly or through its inputs. Declared inputs and params stay even when unused, because
 * they are part of the model's interface.
 */
public final class DeadCode implements Pass {

  @Override
  public String name() {
    return "dce";
  }

  @Override
  public Graph run(Graph g) {
    Set<Node> live = new HashSet<>();
    Deque<Node> work = new ArrayDeque<>();
    work.addAll(g.inputs().values());
    work.addAll(g.params().values());
    work.addAll(g.outputs().values());
    work.addAll(g.trainingOutputs().values());
    work.addAll(g.gradients().values());
    work.addAll(g.states().values());
    work.addAll(g.updates().values());
    if (g.loss() != null) {
      work.add(g.loss());
      work.add(g.evalLoss());
    }
    while (!work.isEmpty()) {
      Node n = work.pop();
      if (live.add(n)) {
        work.addAll(n.inputs());
      }
    }
    if (live.size() == g.nodes().size()) {
      return g;
    }
    return Rewriter.rebuild(g, (b, n, inputs) -> live.contains(n) ? b.copy(n, inputs) : null);
  }
}
