package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/**
 * x^p for a constant exponent p. d/dx = p·x^(p−1), except that x^0 = 1 has derivative 0 everywhere
 * (p·x^(p−1) would be 0·∞ = NaN at x = 0).
 */
public record Pow(double exponent) implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      new Def(
          "pow",
          List.of(Parameter.tensor("x"), Def.real("exponent")),
          "x raised to a constant exponent, elementwise (the operator ^)",
          (e, a) -> e.pow(a.tensor("x"), a.real("exponent")));

  @Override
  public String name() {
    return "pow(" + Constant.format(exponent) + ")";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Binary(Scalar.BinaryFn.POW, new Scalar.Arg(0), new Scalar.Const(exponent));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node x = out.input(0);
    if (exponent == 0) {
      return List.of(e.mul(g, e.scalar(0, x.dtype())));
    }
    Node slope = e.mul(e.scalar(exponent, x.dtype()), e.pow(x, exponent - 1));
    return List.of(e.mul(g, slope));
  }
}
