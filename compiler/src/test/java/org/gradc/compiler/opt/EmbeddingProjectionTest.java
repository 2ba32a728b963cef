package org.gradc.compiler.opt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import org.gradc.compiler.autodiff.Autodiff;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Embedding;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.compiler.ir.ops.MatMul;
import org.gradc.compiler.ir.ops.Param;
import org.gradc.compiler.ir.ops.ScatterAdd;
import org.gradc.compiler.syntax.FrontEnd;
import org.junit.jupiter.api.Test;

/**
 * {@link EmbeddingProjection}: where it fires (the training roles of an embedding's projection,
 * with batch-free table and weight and enough lookups), where not (a weight read from an input, too
 * few lookups, no loss), that the evaluation roles keep the per-row form, and that every role and
 * gradient evaluates as before (f64, random values, several batches); with {@link DotMerger}, the
 * steps' scatter-adds into the table's gradient become one.
 */
class EmbeddingProjectionTest {

  /** A small LSTM language model over 8 ids (the Names model's shape, 3 steps). */
  private static final String MODEL =
      """
      model Tab
      const T = 3
      const H = 4
      input  x: int[batch, T]
      input  y: int[batch, T]
      param  E:  float[8, 3] = normal(0, 0.5)
      param  Wx: float[3, 16] = glorot_uniform
      param  Wh: float[4, 16] = glorot_uniform
      param  b:  float[16] = zeros
      param  Wo: float[4, 8] = glorot_uniform
      h[0] = zeros([batch, H])
      c[0] = zeros([batch, H])
      L[0] = 0
      for t in 0 .. T {
        z = embedding(E, x[:, t]) @ Wx + h[t] @ Wh + b
        c[t + 1] = sigmoid(z[:, H .. 2 * H]) * c[t] + sigmoid(z[:, 0 .. H]) * tanh(z[:, 2 * H .. 3 * H])
        h[t + 1] = sigmoid(z[:, 3 * H .. 4 * H]) * tanh(c[t + 1])
        o[t] = h[t + 1] @ Wo + 0 * sum(WX_USE)
        L[t + 1] = L[t] + mean(cross_entropy(o[t], y[:, t], classes = 8))
      }
      output logits = stack(o[0 .. T], axis = 1)
      loss L[T] / T
      """;

  private static Graph forward(String text) throws Exception {
    return FrontEnd.check(new SourceFile("tab.grad", text), DType.F64).graph();
  }

  private static String model(String wxUse) {
    return MODEL.replace("WX_USE", wxUse);
  }

  private static void assertClose(double[] a, double[] c, String what) {
    assertEquals(a.length, c.length, what);
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], c[i], 1e-12 * Math.max(1, Math.abs(a[i])), what + "[" + i + "]");
    }
  }

  /** Products of an embedding (per-row form) among the ancestors of {@code root}. */
  private static long perRow(Node root) {
    return DotMerger.ancestors(List.of(root)).stream()
        .filter(n -> n.op() instanceof MatMul && n.input(0).op() instanceof Embedding)
        .count();
  }

  /** Products of a param by a param (the table) among the ancestors of {@code root}. */
  private static long tables(Node root) {
    return DotMerger.ancestors(List.of(root)).stream()
        .filter(
            n ->
                n.op() instanceof MatMul
                    && n.input(0).op() instanceof Param
                    && n.input(1).op() instanceof Param)
        .count();
  }

  /** The joint graphs of {@code before} and {@code after} agree on every role and gradient. */
  private static void assertSameValues(Graph before, Graph after) throws Exception {
    Graph j0 = Autodiff.differentiate(before);
    Graph j1 = Autodiff.differentiate(after);
    for (int batch : new int[] {1, 3, 6}) {
      Map<String, double[]> v = DotMergerTest.values(before, batch, 31L * batch, 8);
      Evaluator.Result r0 = Evaluator.evaluate(j0, v, batch);
      Evaluator.Result r1 = Evaluator.evaluate(j1, v, batch);
      assertClose(new double[] {r0.loss()}, new double[] {r1.loss()}, "loss");
      assertClose(new double[] {r0.loss()}, new double[] {r1.evalLoss()}, "eval loss");
      for (String o : before.outputs().keySet()) {
        assertClose(r0.output(o), r1.output(o), o);
        assertClose(r0.output(o), r1.trainingOutput(o), "training " + o);
      }
      for (String p : before.params().keySet()) {
        assertClose(r0.gradient(p), r1.gradient(p), "gradient " + p);
      }
    }
  }

  @Test
  void theTrainingRolesLookUpOneTableTheEvaluationRolesKeepTheRows() throws Exception {
    Graph g = forward(model("b"));
    Graph r = new EmbeddingProjection().run(g);
    assertNotSame(g.loss(), r.loss());
    assertSame(g.loss(), r.evalLoss(), "the evaluation loss is the old loss");
    assertSame(g.outputs().get("logits"), r.outputs().get("logits"));
    assertNotSame(r.outputs().get("logits"), r.trainingOutputs().get("logits"));
    assertEquals(0, perRow(r.loss()), "training loss in table form");
    assertEquals(1, tables(r.loss()), "one table E @ Wx shared by the three steps");
    assertEquals(0, perRow(r.trainingOutputs().get("logits")));
    assertEquals(3, perRow(r.evalLoss()), "evaluation loss per row");
    assertEquals(0, tables(r.evalLoss()));
    assertEquals(3, perRow(r.outputs().get("logits")));
    assertSameValues(g, r);
    // autodiff now derives the table's backward pass: no product of the per-row form in it
    Graph joint = Autodiff.differentiate(r);
    for (Node grad : joint.gradients().values()) {
      assertEquals(0, perRow(grad), joint.toText());
    }
  }

  @Test
  void theStepsScatterAddsMergeIntoOne() throws Exception {
    Graph joint = Autodiff.differentiate(new EmbeddingProjection().run(forward(model("b"))));
    long before = joint.nodes().stream().filter(n -> n.op() instanceof ScatterAdd).count();
    assertEquals(3, before, "one scatter-add into the table's gradient per step");
    Graph merged = Pipeline.standard().run(joint).graph();
    List<Node> scatters =
        merged.nodes().stream().filter(n -> n.op() instanceof ScatterAdd).toList();
    assertEquals(1, scatters.size(), merged.toText());
    assertEquals(Shape.batched(3), scatters.get(0).input(0).shape());
    assertEquals(Shape.batched(3, 16), scatters.get(0).input(1).shape());
    for (int batch : new int[] {1, 4}) {
      Map<String, double[]> v = DotMergerTest.values(joint, batch, 5L + batch, 8);
      Evaluator.Result r0 = Evaluator.evaluate(joint, v, batch);
      Evaluator.Result r1 = Evaluator.evaluate(merged, v, batch);
      for (String p : joint.params().keySet()) {
        assertClose(r0.gradient(p), r1.gradient(p), "gradient " + p);
      }
    }
  }

  @Test
  void theRowFormsScatterAddsIntoTheTableMergeToo() throws Exception {
    Graph joint = Autodiff.differentiate(forward(model("b")));
    Graph merged = Pipeline.standard().run(joint).graph();
    assertEquals(1, merged.nodes().stream().filter(n -> n.op() instanceof ScatterAdd).count());
  }

  @Test
  void aWeightReadFromAnInputIsNotATable() throws Exception {
    String text =
        model("b")
            .replace("input  y: int[batch, T]", "input  y: int[batch, T]\ninput  s: float[3, 16]")
            .replace("embedding(E, x[:, t]) @ Wx", "embedding(E, x[:, t]) @ (Wx * s)");
    Graph g = forward(text);
    assertSame(g, new EmbeddingProjection().run(g));
  }

  @Test
  void tooFewLookupsForTheTableLeaveTheGraph() throws Exception {
    // 256 rows, 3 ids per example: 3 · 32 < 256, but 3 · 100 ≥ 256
    String text = withIds(model("b"), 256);
    Graph g = forward(text);
    assertSame(g, new EmbeddingProjection().run(g));
    Graph r = new EmbeddingProjection(100).run(g);
    assertNotSame(g, r);
    assertEquals(1, tables(r.loss()));
  }

  @Test
  void lookupsOfOneTableCountOverAllItsUses() throws Exception {
    // 3 steps · 2 uses of (E, Wx) a step: 6 · 32 ≥ 160 > 3 · 32
    String text = withIds(model("embedding(E, y[:, t]) @ Wx"), 160);
    Graph g = forward(text);
    Graph r = new EmbeddingProjection().run(g);
    assertNotSame(g, r);
    assertEquals(0, perRow(r.loss()));
  }

  /** {@code text} (the 8-id model) over {@code v} ids: table, classes and output width. */
  private static String withIds(String text, int v) {
    return text.replace("float[8, 3]", "float[" + v + ", 3]")
        .replace("classes = 8", "classes = " + v)
        .replace("float[4, 8]", "float[4, " + v + "]");
  }

  @Test
  void aGraphWithoutALossIsLeftAlone() throws Exception {
    Graph.Builder b = Graph.builder().precision(DType.F64);
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    Node table = e.param("E", new TensorType(DType.F64, Shape.of(4, 3)));
    Node w = e.param("W", new TensorType(DType.F64, Shape.of(3, 5)));
    Node ids = e.input("ids", new TensorType(DType.I32, Shape.batched()));
    b.output("y", e.matmul(e.embedding(table, ids), w));
    Graph g = b.build();
    assertSame(g, new EmbeddingProjection().run(g));
  }

  @Test
  void aTransposedWeightGivesATransposedTable() throws Exception {
    Graph.Builder b = Graph.builder().precision(DType.F64);
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    Node table = e.param("E", new TensorType(DType.F64, Shape.of(8, 3)));
    Node w = e.param("W", new TensorType(DType.F64, Shape.of(5, 3)));
    Node ids = e.input("ids", new TensorType(DType.I32, Shape.batched()));
    Node y = e.tanh(e.matmul(e.embedding(table, ids), w, false, true));
    b.output("y", y);
    b.loss(e.sum(e.mul(y, y), false));
    Graph g = b.build();
    Graph r = new EmbeddingProjection(8).run(g);
    assertEquals(0, perRow(r.loss()));
    Node product = r.loss();
    List<Node> tabs =
        DotMerger.ancestors(List.of(product)).stream()
            .filter(n -> n.op() instanceof MatMul m && m.transposeB() && n.input(0) == table)
            .toList();
    assertEquals(1, tabs.size());
    assertSameValues(g, r);
  }
}
