package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/** a ⊙ b. d/da = b, d/db = a. */
public record Mul() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.binary("mul", "the elementwise product a * b, broadcasting", Emit::mul);

  @Override
  public String name() {
    return "mul";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Binary(Scalar.BinaryFn.MUL, new Scalar.Arg(0), new Scalar.Arg(1));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node a = out.input(0);
    Node c = out.input(1);
    return List.of(e.unbroadcast(e.mul(g, c), a.shape()), e.unbroadcast(e.mul(g, a), c.shape()));
  }
}
