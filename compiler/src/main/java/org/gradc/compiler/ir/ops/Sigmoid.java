package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/** σ(x) = 1/(1 + e^−x). d/dx = σ(1 − σ). */
public record Sigmoid() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.unary("sigmoid", "the logistic function 1 / (1 + e^-x), elementwise", Emit::sigmoid);

  @Override
  public String name() {
    return "sigmoid";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Unary(Scalar.UnaryFn.SIGMOID, new Scalar.Arg(0));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    return List.of(e.mul(g, e.mul(out, e.sub(e.scalar(1, out.dtype()), out))));
  }
}
