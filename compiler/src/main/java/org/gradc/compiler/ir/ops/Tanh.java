package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/** tanh x. d/dx = 1 − tanh²x. */
public record Tanh() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.unary("tanh", "the hyperbolic tangent, elementwise", Emit::tanh);

  @Override
  public String name() {
    return "tanh";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Unary(Scalar.UnaryFn.TANH, new Scalar.Arg(0));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    return List.of(e.mul(g, e.sub(e.scalar(1, out.dtype()), e.mul(out, out))));
  }
}
