package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/** -x. */
public record Neg() implements ElementwiseOp {
  public static final Primitive PRIMITIVE = Def.unary("neg", "the negation -x", Emit::neg);

  @Override
  public String name() {
    return "neg";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Unary(Scalar.UnaryFn.NEG, new Scalar.Arg(0));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    return List.of(e.neg(g));
  }
}
