package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/** ln x. d/dx = 1/x. */
public record Log() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.unary("log", "the natural logarithm, elementwise", Emit::log);

  @Override
  public String name() {
    return "log";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Unary(Scalar.UnaryFn.LOG, new Scalar.Arg(0));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    return List.of(e.div(g, out.input(0)));
  }
}
