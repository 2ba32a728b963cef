package org.gradc.compiler.autodiff;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.compiler.ir.ops.Param;
import org.gradc.compiler.opt.DeadCode;

/**
 * Reverse-mode differentiation, symbolically: extends a graph with the gradient of its scalar loss
 * with respect to every parameter, built from the ops' VJP rules as ordinary IR nodes.
 *
 * <p>The chain rule, as in micrograd: seed δloss = 1; visit the nodes in reverse topological order;
 * give each node's cotangent to its op's VJP, and add what comes back to the cotangents of its
 * inputs (a node used several times receives the sum). Only nodes that depend on a parameter get a
 * cotangent, so nothing is propagated into inputs, labels or constants; contributions a VJP builds
 * that no parameter needs (δx of the first layer) are removed by dead-code elimination.
 *
 * <p>The result is itself an ordinary graph (with the {@code gradients} role set), so it can be
 * differentiated again: give it a new scalar loss built from its gradients (e.g. ⟨∇L, v⟩) and apply
 * {@link #differentiate} once more to get a Hessian-vector product.
 */
public final class Autodiff {
  private Autodiff() {}

  /**
   * The joint forward and backward graph of {@code g}: {@code g}'s roles, plus the gradient of the
   * loss for every parameter (zeros for a parameter the loss does not depend on).
   *
   * @throws CompileException when the graph has no scalar float loss (E0402), or when the loss
   *     depends on a parameter through an op that has no derivative rule (E0401, at the op's source
   *     position)
   */
  public static Graph differentiate(Graph g) throws CompileException {
    Node loss = g.loss();
    if (loss == null || !loss.shape().isScalar() || !loss.dtype().isFloat()) {
      throw new CompileException(
          List.of(
              Diagnostic.error(
                  "E0402",
                  loss == null ? org.gradc.compiler.diag.SourceSpan.SYNTHETIC : loss.span(),
                  loss == null
                      ? "the model has no loss to differentiate"
                      : "the loss must be a float scalar, got " + loss.type(),
                  "reduce it with mean(...) or sum(...)")));
    }
    Graph.Builder b = g.toBuilder();
    Map<Node, Boolean> varies = dependsOnParams(g);
    Map<Node, Node> cotangent = new HashMap<>();
    try {
      cotangent.put(loss, Emit.at(b, loss).scalar(1, loss.dtype()));
      List<Node> nodes = g.nodes();
      for (int i = loss.id(); i >= 0; i--) {
        Node n = nodes.get(i);
        Node ct = cotangent.get(n);
        if (ct == null || n.inputs().isEmpty()) {
          continue;
        }
        List<Node> contributions = vjp(n, ct, b);
        for (int k = 0; k < n.inputs().size(); k++) {
          Node in = n.input(k);
          Node c = contributions.get(k);
          if (c == null || !varies.get(in)) {
            continue;
          }
          if (!c.type().equals(in.type())) {
            throw new IllegalStateException(
                "VJP of " + n.op().name() + " gave " + c.type() + " for input " + in);
          }
          Node sum = cotangent.get(in);
          cotangent.put(in, sum == null ? c : Emit.at(b, in).add(sum, c));
        }
      }
      for (Map.Entry<String, Node> p : g.params().entrySet()) {
        Node grad = cotangent.get(p.getValue());
        if (grad == null) {
          grad = Emit.at(b, p.getValue()).fill(0, p.getValue().shape(), p.getValue().dtype());
        }
        b.gradient(p.getKey(), grad);
      }
    } catch (ShapeError e) {
      throw new IllegalStateException("a VJP rule broke a shape rule: " + e.getMessage(), e);
    }
    return new DeadCode().run(b.build());
  }

  private static List<Node> vjp(Node n, Node ct, Graph.Builder b)
      throws ShapeError, CompileException {
    try {
      return n.op().vjp(n, ct, b);
    } catch (UnsupportedOperationException e) {
      throw new CompileException(
          List.of(
              Diagnostic.error(
                  "E0401",
                  n.span(),
                  "cannot differentiate " + n.op().name() + ": it has no derivative rule",
                  "wrap the value in stop_gradient(...) if no gradient should flow through it")));
    }
  }

  /** Whether each node's value changes with some parameter. */
  private static Map<Node, Boolean> dependsOnParams(Graph g) {
    Map<Node, Boolean> varies = new HashMap<>();
    for (Node n : g.nodes()) {
      boolean v = n.op() instanceof Param;
      for (Node in : n.inputs()) {
        v |= varies.get(in);
      }
      varies.put(n, v);
    }
    return varies;
  }
}
