package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/**
 * softplus(x) = log(1 + e^x), computed as {@code max(x, 0) + log(1 + exp(-|x|))}, which neither
 * overflows for large x nor underflows to 0 before e^x does. A primitive rather than a prelude
 * {@code def} because the stable formula has kinks (max at 0, abs at 0) that the smooth function
 * does not: differentiated through them it would get a sub-gradient at 0. The derivative is σ(x),
 * exact everywhere, as in JAX and PyTorch.
 */
public record Softplus() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.unary(
          "softplus",
          "log(1 + e^x), elementwise, without overflow (derivative sigmoid(x))",
          Emit::softplus);

  @Override
  public String name() {
    return "softplus";
  }

  @Override
  public Scalar scalar() {
    Scalar x = new Scalar.Arg(0);
    return new Scalar.Binary(
        Scalar.BinaryFn.ADD,
        new Scalar.Binary(Scalar.BinaryFn.MAX, x, new Scalar.Const(0)),
        log1pExpNegAbs(x));
  }

  /** log(1 + e^−|x|), the correction term both softplus and log_sigmoid share. */
  static Scalar log1pExpNegAbs(Scalar x) {
    Scalar expNegAbs =
        new Scalar.Unary(
            Scalar.UnaryFn.EXP,
            new Scalar.Unary(Scalar.UnaryFn.NEG, new Scalar.Unary(Scalar.UnaryFn.ABS, x)));
    return new Scalar.Unary(
        Scalar.UnaryFn.LOG, new Scalar.Binary(Scalar.BinaryFn.ADD, new Scalar.Const(1), expNegAbs));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    return List.of(e.mul(g, e.sigmoid(out.input(0))));
  }
}
