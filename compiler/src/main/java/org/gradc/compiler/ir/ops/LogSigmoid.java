package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/**
 * log σ(x) = −softplus(−x), computed as {@code min(x, 0) − log(1 + exp(−|x|))}, which stays finite
 * and accurate for large |x| where {@code log(sigmoid(x))} would give log 0. A primitive for the
 * same reason as {@link Softplus}: its derivative σ(−x) is exact everywhere, including at 0, where
 * the stable formula's kinks would give a sub-gradient.
 */
public record LogSigmoid() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.unary(
          "log_sigmoid",
          "log(sigmoid(x)), elementwise, without underflow (derivative sigmoid(-x))",
          Emit::logSigmoid);

  @Override
  public String name() {
    return "log_sigmoid";
  }

  @Override
  public Scalar scalar() {
    Scalar x = new Scalar.Arg(0);
    return new Scalar.Binary(
        Scalar.BinaryFn.SUB,
        new Scalar.Binary(Scalar.BinaryFn.MIN, x, new Scalar.Const(0)),
        Softplus.log1pExpNegAbs(x));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    return List.of(e.mul(g, e.sigmoid(e.neg(out.input(0)))));
  }
}
