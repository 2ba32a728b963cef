package org.gradc.compiler.ir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.gradc.compiler.autodiff.Autodiff;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;
import org.junit.jupiter.api.Test;

/** The embedding lookup and its transpose, scatter_add, on hand-computed values. */
class EmbeddingTest {
  private final Graph.Builder b = Graph.builder().precision(DType.F64);
  private final Emit e = new Emit(b, SourceSpan.SYNTHETIC);

  private Node table() throws ShapeError {
    return e.param("E", new TensorType(DType.F64, Shape.of(3, 2)));
  }

  private Node ids(int... dims) throws ShapeError {
    return e.input("ids", new TensorType(DType.I32, Shape.batched(dims)));
  }

  @Test
  void picksRowsAndItsGradientAddsRowsBack() throws Exception {
    Node table = table();
    Node out = e.embedding(table, ids(2));
    assertEquals(Shape.batched(2, 2), out.shape());
    b.output("o", out);
    b.loss(e.sum(e.mul(out, e.input("w", new TensorType(DType.F64, Shape.batched(2, 2)))), false));
    Graph joint = Autodiff.differentiate(b.build());
    // two examples with ids [2, 0] and [2, 2]: row 2 is read three times
    Map<String, double[]> values =
        Map.of(
            "E", new double[] {1, 2, 3, 4, 5, 6},
            "ids", new double[] {2, 0, 2, 2},
            "w", new double[] {1, 10, 100, 1000, 2, 20, 3, 30});
    Evaluator.Result r = Evaluator.evaluate(joint, values, 2);
    assertArrayEquals(new double[] {5, 6, 1, 2, 5, 6, 5, 6}, r.output("o"));
    assertArrayEquals(new double[] {100, 1000, 0, 0, 6, 60}, r.gradient("E"));
    assertTrue(
        joint.nodes().stream().anyMatch(n -> n.op() instanceof ScatterAdd),
        "the table's gradient is a scatter_add");
    assertTrue(
        joint.nodes().stream().noneMatch(n -> n.op() instanceof OneHot || n.op() instanceof MatMul),
        "never a one-hot product");
  }

  @Test
  void anIdOutOfRangeIsAnErrorNamingIt() throws Exception {
    Node out = e.embedding(table(), ids());
    b.output("o", out);
    Graph g = b.build();
    IllegalArgumentException ex =
        assertThrows(
            IllegalArgumentException.class,
            () -> Evaluator.evaluate(g, Map.of("E", new double[6], "ids", new double[] {1, 3}), 2));
    assertEquals("id 3.0 is out of range [0, 3)", ex.getMessage());
  }

  @Test
  void shapeRules() throws Exception {
    Node ids = ids(4);
    ShapeError vector =
        assertThrows(
            ShapeError.class,
            () -> e.embedding(e.param("v", new TensorType(DType.F64, Shape.of(3))), ids));
    assertEquals("E0320", vector.code());
    assertEquals(
        "E0308", assertThrows(ShapeError.class, () -> e.embedding(table(), table())).code());
    assertEquals(
        "E0320",
        assertThrows(ShapeError.class, () -> e.scatterAdd(ids, e.fill(0, Shape.of(4, 2)), 3))
            .code());
    Node picked = e.embedding(table(), ids);
    assertEquals(Shape.of(3, 2), e.scatterAdd(ids, picked, 3).shape());
    assertNull(
        new ScatterAdd(3).vjp(e.scatterAdd(ids, picked, 3), e.fill(0, Shape.of(3, 2)), b).get(0));
  }
}
