package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/** |x|. d/dx = sign x (taken as +1 at 0). */
public record Abs() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.unary("abs", "the absolute value, elementwise", Emit::abs);

  @Override
  public String name() {
    return "abs";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Unary(Scalar.UnaryFn.ABS, new Scalar.Arg(0));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node x = out.input(0);
    return List.of(e.where(e.compare(Scalar.BinaryFn.GE, x, e.scalar(0, x.dtype())), g, e.neg(g)));
  }
}
