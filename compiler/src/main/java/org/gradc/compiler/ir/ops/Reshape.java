package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * The same row-major elements in another shape. A batched tensor keeps its batch axis and reshapes
 * each row: in the language, the target shape starts with {@code -1} (meaning batch) exactly when
 * {@code x} is batched.
 */
public record Reshape(Shape shape) implements org.gradc.compiler.ir.Op {
  public static final Primitive PRIMITIVE =
      new Def(
          "reshape",
          List.of(Parameter.tensor("x"), Def.ints("shape", null)),
          "x with the same elements in another shape (-1 first stands for batch)",
          (e, a) -> e.reshape(a.tensor("x"), Shapes.fromList("reshape", a.ints("shape"))));

  /** {@code flatten(x)}: a reshape keeping the leading axis, {@code [n, h, w, c] → [n, h·w·c]}. */
  public static final Primitive FLATTEN =
      Def.unary(
          "flatten",
          "x reshaped to [n, product of the other extents], keeping the leading (batch) axis",
          Emit::flatten);

  @Override
  public String name() {
    return "reshape(" + shape + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType x = inputs.get(0);
    Shape s = x.shape();
    if (s.isBatched() != shape.isBatched() || s.rowSize() != shape.rowSize()) {
      throw new ShapeError(
          "E0306",
          "cannot reshape " + x + " to " + shape + ": the number of elements differs",
          s.isBatched() != shape.isBatched()
              ? "a batched tensor keeps its batch axis: start the shape with -1 for batch"
              : "the product of the extents must stay " + s.rowSize());
    }
    return new TensorType(x.dtype(), shape);
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    return List.of(Emit.at(b, out).reshape(g, out.input(0).shape()));
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    return inputs.get(0).clone();
  }
}
