package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/** a / b. d/da = 1/b, d/db = −a/b² = −(a/b)/b. */
public record Div() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.binary("div", "the elementwise quotient a / b, broadcasting", Emit::div);

  @Override
  public String name() {
    return "div";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Binary(Scalar.BinaryFn.DIV, new Scalar.Arg(0), new Scalar.Arg(1));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node a = out.input(0);
    Node c = out.input(1);
    return List.of(
        e.unbroadcast(e.div(g, c), a.shape()),
        e.unbroadcast(e.neg(e.div(e.mul(g, out), c)), c.shape()));
  }
}
