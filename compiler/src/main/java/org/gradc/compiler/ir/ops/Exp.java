package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/** e^x. d/dx = e^x: the rule reuses the forward value. */
public record Exp() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.unary("exp", "e raised to x, elementwise", Emit::exp);

  @Override
  public String name() {
    return "exp";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Unary(Scalar.UnaryFn.EXP, new Scalar.Arg(0));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    return List.of(e.mul(g, out));
  }
}
