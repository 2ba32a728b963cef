package org.gradc.compiler.ir.ops;

import java.util.Arrays;
import java.util.List;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * {@code where(mask, a, b)}: {@code a} where the bool mask holds, else {@code b}, all three
 * broadcasting. The cotangent is routed the same way; the mask gets none.
 */
public record Where() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      new Def(
          "where",
          List.of(Parameter.tensor("mask"), Parameter.tensor("a"), Parameter.tensor("b")),
          "a where the mask holds, else b, elementwise, broadcasting",
          (e, a) -> e.where(a.tensor("mask"), a.tensor("a"), a.tensor("b")));

  @Override
  public String name() {
    return "where";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Select(new Scalar.Arg(0), new Scalar.Arg(1), new Scalar.Arg(2));
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    Broadcasting.requireDType("where", "a mask", inputs.get(0), DType.BOOL);
    DType d = Broadcasting.sameFloat("where", inputs.subList(1, 3));
    return new TensorType(d, Broadcasting.shape(inputs));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node mask = out.input(0);
    Node zero = e.scalar(0, g.dtype());
    return Arrays.asList(
        null,
        e.unbroadcast(e.where(mask, g, zero), out.input(1).shape()),
        e.unbroadcast(e.where(mask, zero, g), out.input(2).shape()));
  }
}
