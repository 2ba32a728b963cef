package org.gradc.compiler.ir.ops;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * A comparison ({@code lt le gt ge eq ne}) of two operands of one type, broadcasting, giving a bool
 * mask. A mask is piecewise constant, so no gradient flows through it.
 */
public record Compare(Scalar.BinaryFn fn) implements ElementwiseOp {
  public Compare {
    switch (fn) {
      case LT, LE, GT, GE, EQ, NE -> {}
      default -> throw new IllegalArgumentException("not a comparison: " + fn);
    }
  }

  public static final Primitive LT = primitive(Scalar.BinaryFn.LT, "a < b");
  public static final Primitive LE = primitive(Scalar.BinaryFn.LE, "a <= b");
  public static final Primitive GT = primitive(Scalar.BinaryFn.GT, "a > b");
  public static final Primitive GE = primitive(Scalar.BinaryFn.GE, "a >= b");
  public static final Primitive EQ = primitive(Scalar.BinaryFn.EQ, "a == b");
  public static final Primitive NE = primitive(Scalar.BinaryFn.NE, "a != b");

  private static Primitive primitive(Scalar.BinaryFn fn, String what) {
    return Def.binary(
        fn.name().toLowerCase(Locale.ROOT),
        "the mask where " + what + ", elementwise, broadcasting",
        (e, a, b) -> e.compare(fn, a, b));
  }

  @Override
  public String name() {
    return fn.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Binary(fn, new Scalar.Arg(0), new Scalar.Arg(1));
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    DType d = inputs.get(0).dtype();
    if (inputs.get(1).dtype() != d || d == DType.BOOL) {
      throw new ShapeError(
          "E0302", name() + " compares two numbers of one type, got " + Broadcasting.list(inputs));
    }
    return new TensorType(DType.BOOL, Broadcasting.shape(inputs));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) {
    return Arrays.asList(null, null);
  }
}
