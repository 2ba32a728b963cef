package org.gradc.compiler.opt;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ops.Add;
import org.gradc.compiler.ir.ops.Compare;
import org.gradc.compiler.ir.ops.Mul;

/**
 * Common-subexpression elimination beyond what hash-consing does while building: rebuilding the
 * graph merges nodes that became equal after other rewrites, and the operands of commutative ops
 * ({@code add mul eq ne}; not {@code max}/{@code min}, whose VJP breaks ties towards the first
 * operand) are put in a canonical order, so {@code a + b} and {@code b + a} become one node.
 */
public final class CommonSubexpressions implements Pass {

  @Override
  public String name() {
    return "cse";
  }

  @Override
  public Graph run(Graph g) {
    return Rewriter.rebuild(
        g,
        (b, n, inputs) -> {
          if (commutative(n) && inputs.get(0).id() > inputs.get(1).id()) {
            return b.copy(n, List.of(inputs.get(1), inputs.get(0)));
          }
          return b.copy(n, inputs);
        });
  }

  private static boolean commutative(Node n) {
    if (n.op() instanceof Compare c) {
      return c.fn() == Scalar.BinaryFn.EQ || c.fn() == Scalar.BinaryFn.NE;
    }
    return n.op() instanceof Add || n.op() instanceof Mul;
  }
}
