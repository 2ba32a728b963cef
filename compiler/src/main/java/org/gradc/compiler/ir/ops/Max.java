package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/**
 * max(a, b). The cotangent goes to the larger operand, and to {@code b} on a tie, so that {@code
 * relu(x) = max(x, 0)} has derivative 0 at 0, as in PyTorch.
 */
public record Max() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.binary(
          "max",
          "the elementwise maximum of a and b, broadcasting (relu(x) = max(x, 0))",
          Emit::max);

  @Override
  public String name() {
    return "max";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Binary(Scalar.BinaryFn.MAX, new Scalar.Arg(0), new Scalar.Arg(1));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node a = out.input(0);
    Node c = out.input(1);
    Node takeA = e.compare(Scalar.BinaryFn.GT, a, c);
    Node zero = e.scalar(0, g.dtype());
    return List.of(
        e.unbroadcast(e.where(takeA, g, zero), a.shape()),
        e.unbroadcast(e.where(takeA, zero, g), c.shape()));
  }
}
