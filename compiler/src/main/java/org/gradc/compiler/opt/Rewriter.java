package org.gradc.compiler.opt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.ops.Emit;

/**
 * Rebuilds a graph node by node, in topological order, into a fresh builder, letting a rule replace
 * each node given its already-rebuilt inputs. Rebuilding hash-conses again, so nodes that became
 * equal after a rewrite merge (that is most of CSE). Roles follow their nodes.
 */
final class Rewriter {
  private Rewriter() {}

  /** Decides what an old node becomes in the new graph. */
  @FunctionalInterface
  interface Rule {
    /**
     * @param inputs the new nodes for {@code n}'s inputs
     * @return the new node, or {@code null} to drop {@code n} (only for nodes nothing uses)
     */
    Node rewrite(Context b, Node n, List<Node> inputs) throws ShapeError;
  }

  /** The builder being filled, with helpers for rules. */
  static final class Context {
    final Graph.Builder builder;
    private final Map<Node, Node> map;

    Context(Graph.Builder builder, Map<Node, Node> map) {
      this.builder = builder;
      this.map = map;
    }

    /** What an old node already visited became (null when dropped or not visited yet). */
    Node rebuilt(Node old) {
      return map.get(old);
    }

    /** {@code n}'s op applied to new inputs (the identity rewrite). */
    Node copy(Node n, List<Node> inputs) throws ShapeError {
      return builder.node(n.op(), inputs, n.span());
    }

    /** An emitter attributing nodes to {@code n}'s source. */
    Emit at(Node n) {
      return new Emit(builder, n.span());
    }
  }

  static Graph rebuild(Graph g, Rule rule) {
    return rebuild(g, g.nodes(), rule);
  }

  /**
   * As {@link #rebuild(Graph, Rule)}, visiting the nodes in {@code order}: every node of {@code g},
   * each after its inputs (a pass that builds a node from several old ones visits those first).
   */
  static Graph rebuild(Graph g, List<Node> order, Rule rule) {
    Graph.Builder b = Graph.builder().modelName(g.modelName()).precision(g.precision());
    Map<Node, Node> map = new HashMap<>();
    Context ctx = new Context(b, map);
    for (Node n : order) {
      List<Node> inputs = new ArrayList<>(n.inputs().size());
      for (Node in : n.inputs()) {
        inputs.add(map.get(in));
      }
      Node m;
      try {
        m = inputs.contains(null) ? null : rule.rewrite(ctx, n, inputs);
      } catch (ShapeError e) {
        throw new IllegalStateException("rewrite of " + n + " broke a shape rule", e);
      }
      if (m != null) {
        if (!m.type().equals(n.type())) {
          throw new IllegalStateException("rewrite of " + n + " changed its type to " + m.type());
        }
        map.put(n, m);
      }
    }
    g.inputs().forEach((name, n) -> b.input(name, map.get(n)));
    g.params().forEach((name, n) -> b.param(name, map.get(n)));
    g.outputs().forEach((name, n) -> b.output(name, map.get(n)));
    g.trainingOutputs().forEach((name, n) -> b.trainingOutput(name, map.get(n)));
    g.gradients().forEach((name, n) -> b.gradient(name, map.get(n)));
    g.states().forEach((name, n) -> b.state(name, map.get(n)));
    g.updates().forEach((name, n) -> b.update(name, map.get(n)));
    if (g.loss() != null) {
      b.loss(map.get(g.loss()));
    }
    if (g.evalLoss() != g.loss()) {
      b.evalLoss(map.get(g.evalLoss()));
    }
    Graph out = b.build();
    // A rewrite may leave nodes no role needs any more.
    return out;
  }
}
