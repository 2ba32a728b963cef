package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * {@code x} broadcast to {@code shape} by NumPy's rules. Elementwise (the identity formula after
 * broadcasting). The VJP sums the cotangent back over the broadcast axes.
 */
public record BroadcastTo(Shape shape) implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      new Def(
          "broadcast_to",
          List.of(Parameter.tensor("x"), Def.ints("shape", null)),
          "x broadcast to a shape (-1 first stands for batch)",
          (e, a) -> e.broadcastTo(a.tensor("x"), Shapes.fromList("broadcast_to", a.ints("shape"))));

  @Override
  public String name() {
    return "broadcast_to(" + shape + ")";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Arg(0);
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType x = inputs.get(0);
    TensorType target = new TensorType(x.dtype(), shape);
    Shape s;
    try {
      s = Broadcasting.shape(List.of(x, target));
    } catch (ShapeError e) {
      s = null;
    }
    if (!shape.equals(s)) {
      throw new ShapeError(
          "E0313",
          "cannot broadcast " + x + " to " + shape,
          "shapes are aligned from the right; each extent of x must equal the target's or be 1");
    }
    return target;
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    return List.of(Emit.at(b, out).unbroadcast(g, out.input(0).shape()));
  }
}
