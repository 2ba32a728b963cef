package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/** a − b. */
public record Sub() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.binary("sub", "the difference a - b, broadcasting", Emit::sub);

  @Override
  public String name() {
    return "sub";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Binary(Scalar.BinaryFn.SUB, new Scalar.Arg(0), new Scalar.Arg(1));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node a = out.input(0);
    Node c = out.input(1);
    return List.of(e.unbroadcast(g, a.shape()), e.unbroadcast(e.neg(g), c.shape()));
  }
}
