package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/**
 * |x|. d/dx = sign x, taken as 0 at the kink x = 0 (as PyTorch's {@code sign}): the one documented
 * convention for abs (docs/language.md, "Derivatives at kinks").
 */
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
    Node zero = e.scalar(0, x.dtype());
    Node negative = e.where(e.compare(Scalar.BinaryFn.LT, x, zero), e.neg(g), zero);
    return List.of(e.where(e.compare(Scalar.BinaryFn.GT, x, zero), g, negative));
  }
}
