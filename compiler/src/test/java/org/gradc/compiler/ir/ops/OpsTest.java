package org.gradc.compiler.ir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Elementwise;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Primitives;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;
import org.junit.jupiter.api.Test;

class OpsTest {
  private final Graph.Builder b = Graph.builder().precision(DType.F64);
  private final Emit e = new Emit(b, SourceSpan.SYNTHETIC);

  private static TensorType f64(int... dims) {
    return new TensorType(DType.F64, Shape.of(dims));
  }

  private static TensorType batched(int... rest) {
    return new TensorType(DType.F64, Shape.batched(rest));
  }

  @Test
  void everyLanguagePrimitiveIsRegistered() {
    for (String name :
        List.of(
            "add",
            "sub",
            "mul",
            "div",
            "neg",
            "pow",
            "exp",
            "log",
            "sqrt",
            "tanh",
            "sigmoid",
            "softplus",
            "log_sigmoid",
            "abs",
            "max",
            "min",
            "lt",
            "le",
            "gt",
            "ge",
            "eq",
            "ne",
            "where",
            "stop_gradient",
            "matmul",
            "transpose",
            "reshape",
            "broadcast_to",
            "sum",
            "mean",
            "amax",
            "one_hot",
            "gather",
            "concat",
            "slice",
            "flatten",
            "conv2d",
            "conv2d_same",
            "max_pool2d",
            "avg_pool2d")) {
      assertNotNull(Primitives.lookup(name), name);
    }
    assertEquals(
        "sum(x, axes: int_list = [], keepdims: bool = false)",
        Primitives.lookup("sum").signature());
  }

  @Test
  void broadcastMismatchNamesBothShapes() throws ShapeError {
    Node x = e.input("x", new TensorType(DType.F32, Shape.batched(256)));
    Node c = e.param("c", new TensorType(DType.F32, Shape.of(10)));
    ShapeError err = assertThrows(ShapeError.class, () -> e.add(x, c));
    assertEquals("E0301", err.code());
    assertEquals("cannot broadcast float[batch, 256] with float[10]", err.getMessage());
    assertTrue(err.hints().get(0).contains("aligned from the right"));
  }

  @Test
  void broadcastingShapes() throws ShapeError {
    Node x = e.input("x", batched(1, 3));
    Node y = e.param("y", f64(4, 1));
    assertEquals(Shape.batched(4, 3), e.add(x, y).shape());
    Node s = e.scalar(2);
    assertEquals(Shape.batched(1, 3), e.mul(x, s).shape());
    Node v = e.param("v", f64(2, 1, 1, 3));
    ShapeError err = assertThrows(ShapeError.class, () -> e.add(v, x));
    assertEquals("E0307", err.code());
    assertEquals(
        "cannot broadcast float64[2, 1, 1, 3] with float64[batch, 1, 3]: the batch axis would not be"
            + " the leading axis",
        err.getMessage());
  }

  @Test
  void hashConsingMergesEqualNodes() throws ShapeError {
    Node x = e.input("x", f64(3));
    assertSame(e.exp(x), e.exp(x));
    assertSame(e.sum(x, false), e.sum(x, false, -1));
    assertSame(e.scalar(1), e.fill(1, Shape.SCALAR));
  }

  @Test
  void matmulRules() throws ShapeError {
    Node x = e.input("x", batched(784));
    Node w = e.param("W", f64(784, 256));
    assertEquals(Shape.batched(256), e.matmul(x, w).shape());
    Node w2 = e.param("W2", f64(10, 256));
    ShapeError err = assertThrows(ShapeError.class, () -> e.matmul(x, w2));
    assertEquals("E0303", err.code());
    assertTrue(err.getMessage().contains("float64[batch, 784] @ float64[10, 256]"));
    assertEquals(Shape.of(784, 256), e.matmul(x, e.matmul(x, w), true, false).shape());
  }

  @Test
  void typeErrors() throws ShapeError {
    Node y = e.input("y", new TensorType(DType.I32, Shape.batched()));
    Node x = e.input("x", batched(10));
    assertEquals("E0302", assertThrows(ShapeError.class, () -> e.exp(y)).code());
    assertEquals(Shape.batched(10), e.oneHot(y, 10, DType.F64).shape());
    assertEquals(Shape.batched(), e.gather(x, y).shape());
    assertEquals("E0308", assertThrows(ShapeError.class, () -> e.gather(x, x)).code());
    assertEquals("E0308", assertThrows(ShapeError.class, () -> e.where(x, x, x)).code());
    assertEquals("E0305", assertThrows(ShapeError.class, () -> e.sum(x, false, 2)).code());
    assertEquals("E0306", assertThrows(ShapeError.class, () -> e.reshape(x, Shape.of(10))).code());
    assertEquals("E0311", assertThrows(ShapeError.class, () -> e.slice(x, 1, 3, 11)).code());
    assertEquals("E0307", assertThrows(ShapeError.class, () -> e.transpose(x)).code());
  }

  @Test
  void structuralErrorsHaveTheirCodesAndNameTheShapes() throws ShapeError {
    Node x = e.input("x", batched(3));
    Node m = e.param("m", f64(2, 3));
    Node v = e.param("v", f64(3));
    Node y = e.input("y", new TensorType(DType.I32, Shape.batched()));
    ShapeError concat =
        assertThrows(ShapeError.class, () -> e.concat(1, List.of(m, e.param("k", f64(3, 3)))));
    assertEquals("E0310", concat.code());
    assertEquals(
        "concat: cannot join float64[2, 3] with float64[3, 3] along axis 1", concat.getMessage());
    assertEquals("E0310", assertThrows(ShapeError.class, () -> e.concat(0, List.of(x, x))).code());
    ShapeError bt = assertThrows(ShapeError.class, () -> e.broadcastTo(m, Shape.of(4, 3)));
    assertEquals("E0313", bt.code());
    assertEquals("cannot broadcast float64[2, 3] to [4, 3]", bt.getMessage());
    assertEquals("E0312", assertThrows(ShapeError.class, () -> e.transpose(m, 0, 0)).code());
    assertEquals("E0314", assertThrows(ShapeError.class, () -> e.oneHot(y, 0, DType.F64)).code());
    ShapeError gather = assertThrows(ShapeError.class, () -> e.gather(m, y));
    assertEquals("E0315", gather.code());
    assertEquals("gather: labels int[batch] do not fit float64[2, 3]", gather.getMessage());
    ShapeError rank = assertThrows(ShapeError.class, () -> e.matmul(v, m));
    assertEquals("E0304", rank.code());
    assertEquals("@ multiplies 2-D tensors, got float64[3] @ float64[2, 3]", rank.getMessage());
    assertEquals(
        "E0306",
        assertThrows(
                ShapeError.class,
                () ->
                    Primitives.lookup("reshape")
                        .apply(b, Map.of("x", m, "shape", new int[] {3, -1}), SourceSpan.SYNTHETIC))
            .code());
    assertEquals("E0305", assertThrows(ShapeError.class, () -> e.sum(m, false, 1, -1)).code());
  }

  @Test
  void evaluatorNamesMissingOrMisSizedValues() throws ShapeError {
    e.input("x", batched(3));
    Graph g = b.build();
    assertEquals(
        "no value for input x: float64[batch, 3]",
        assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(g, Map.of(), 2))
            .getMessage());
    assertEquals(
        "input x: float64[batch, 3] with batch 2 needs 6 values, got 5",
        assertThrows(
                IllegalArgumentException.class,
                () -> Evaluator.evaluate(g, Map.of("x", new double[5]), 2))
            .getMessage());
  }

  @Test
  void evaluatesWithBatch() throws ShapeError {
    Node x = e.input("x", batched(3));
    Node y = e.input("y", new TensorType(DType.I32, Shape.batched()));
    Node w = e.param("w", f64(3, 2));
    Node z = e.matmul(x, w);
    Node picked = e.gather(x, y);
    Node rowSum = e.sum(x, false, 1);
    Node colMean = e.mean(x, false, 0);
    Node top = e.amax(x, true, 1);
    Node cat = e.concat(1, List.of(x, z));
    Node sl = e.slice(cat, 1, 2, 4);
    Node relu = e.max(e.sub(x, e.scalar(2)), e.scalar(0));
    Node oh = e.oneHot(y, 3, DType.F64);
    Graph g = b.build();
    double[] xv = {1, 2, 3, 4, 5, 6};
    Evaluator.Result r =
        Evaluator.evaluate(
            g, Map.of("x", xv, "y", new double[] {2, 0}, "w", new double[] {1, 0, 0, 1, 1, 1}), 2);
    assertArrayEquals(new double[] {4, 5, 10, 11}, r.value(z));
    assertArrayEquals(new double[] {3, 4}, r.value(picked));
    assertArrayEquals(new double[] {6, 15}, r.value(rowSum));
    assertArrayEquals(new double[] {2.5, 3.5, 4.5}, r.value(colMean));
    assertArrayEquals(new double[] {3, 6}, r.value(top));
    assertArrayEquals(new double[] {3, 4, 6, 10}, r.value(sl));
    assertArrayEquals(new double[] {0, 0, 1, 2, 3, 4}, r.value(relu));
    assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0}, r.value(oh));
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Evaluator.evaluate(
                    g, Map.of("x", xv, "y", new double[] {3, 0}, "w", new double[6]), 2));
    assertTrue(bad.getMessage().contains("label 3.0 is out of range [0, 3)"));
  }

  @Test
  void transposeAndBroadcastEvaluate() throws ShapeError {
    Node x = e.param("x", f64(2, 3));
    Node t = e.transpose(x);
    Node bc = e.broadcastTo(e.param("v", f64(3)), Shape.of(2, 3));
    Graph g = b.build();
    Evaluator.Result r =
        Evaluator.evaluate(
            g, Map.of("x", new double[] {1, 2, 3, 4, 5, 6}, "v", new double[] {7, 8, 9}), 1);
    assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, r.value(t));
    assertArrayEquals(new double[] {7, 8, 9, 7, 8, 9}, r.value(bc));
  }

  @Test
  void elementwiseOpsExposeTheirFormula() throws ShapeError {
    Node x = e.param("x", f64(2));
    Elementwise relu = (Elementwise) e.max(x, e.scalar(0)).op();
    assertEquals(
        new Scalar.Binary(Scalar.BinaryFn.MAX, new Scalar.Arg(0), new Scalar.Arg(1)),
        relu.scalar());
    assertTrue(e.broadcastTo(x, Shape.of(3, 2)).op() instanceof Elementwise);
  }

  @Test
  void primitivesBuildThroughTheRegistry() throws ShapeError {
    Node x = e.input("x", batched(4));
    Primitive sum = Primitives.lookup("sum");
    Node s =
        sum.apply(
            b, Map.of("x", x, "axes", new int[] {-1}, "keepdims", true), SourceSpan.SYNTHETIC);
    assertEquals(Shape.batched(1), s.shape());
    Node r =
        Primitives.lookup("reshape")
            .apply(b, Map.of("x", x, "shape", new int[] {-1, 2, 2}), SourceSpan.SYNTHETIC);
    assertEquals(Shape.batched(2, 2), r.shape());
  }
}
