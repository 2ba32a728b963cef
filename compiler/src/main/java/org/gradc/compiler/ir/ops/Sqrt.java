package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/** √x. d/dx = 1/(2√x): the rule reuses the forward value. */
public record Sqrt() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.unary("sqrt", "the square root, elementwise", Emit::sqrt);

  @Override
  public String name() {
    return "sqrt";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Unary(Scalar.UnaryFn.SQRT, new Scalar.Arg(0));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    return List.of(e.div(g, e.mul(e.scalar(2, out.dtype()), out)));
  }
}
