package org.gradc.compiler.opt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gradc.compiler.autodiff.Autodiff;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.compiler.ir.ops.Input;
import org.gradc.compiler.ir.ops.MatMul;
import org.gradc.compiler.ir.ops.Param;
import org.gradc.compiler.ir.ops.Sum;
import org.junit.jupiter.api.Test;

/**
 * {@link DotMerger} on small graphs: it merges independent products sharing a weight (rows), the
 * per-step terms of a weight's gradient (sums) and of a bias's gradient (reductions), refuses
 * members with a path between them, and the merged graph evaluates as the unmerged one (f64, random
 * values, several batch sizes).
 */
class DotMergerTest {
  private final Graph.Builder b = Graph.builder().precision(DType.F64);
  private final Emit e = new Emit(b, SourceSpan.SYNTHETIC);

  private static TensorType f64(Shape s) {
    return new TensorType(DType.F64, s);
  }

  /**
   * Random values for every input and param of {@code g} at {@code batch}: floats in [-1, 1), ids
   * in [0, {@code ids}).
   */
  static Map<String, double[]> values(Graph g, int batch, long seed, int ids) {
    Random rnd = new Random(seed);
    Map<String, double[]> v = new HashMap<>();
    for (Node n : g.nodes()) {
      String name =
          n.op() instanceof Input i
              ? i.inputName()
              : n.op() instanceof Param p ? p.paramName() : null;
      if (name != null) {
        double[] x = new double[(int) n.shape().size(batch)];
        for (int k = 0; k < x.length; k++) {
          x[k] = n.dtype() == DType.I32 ? rnd.nextInt(ids) : rnd.nextDouble() * 2 - 1;
        }
        v.put(name, x);
      }
    }
    return v;
  }

  /** Outputs, loss and gradients of {@code after} equal {@code before}'s, up to f64 rounding. */
  private static void assertSameValues(Graph before, Graph after) {
    for (int batch : new int[] {1, 3, 7}) {
      Map<String, double[]> v = values(before, batch, batch * 17L, 1);
      Evaluator.Result r0 = Evaluator.evaluate(before, v, batch);
      Evaluator.Result r1 = Evaluator.evaluate(after, v, batch);
      for (String o : before.outputs().keySet()) {
        assertClose(r0.output(o), r1.output(o), o);
      }
      for (String p : before.gradients().keySet()) {
        assertClose(r0.gradient(p), r1.gradient(p), "gradient " + p);
      }
      if (before.loss() != null) {
        assertClose(new double[] {r0.loss()}, new double[] {r1.loss()}, "loss");
      }
    }
  }

  private static void assertClose(double[] a, double[] c, String what) {
    assertEquals(a.length, c.length, what);
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], c[i], 1e-12 * Math.max(1, Math.abs(a[i])), what + "[" + i + "]");
    }
  }

  /** The products of {@code g} with an operand of rank above 2 (merged ones). */
  private static List<Node> stacked(Graph g) {
    List<Node> out = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (n.op() instanceof MatMul && n.input(0).shape().rank() > 2) {
        out.add(n);
      }
    }
    return out;
  }

  private static long products(Graph g) {
    return g.nodes().stream().filter(n -> n.op() instanceof MatMul).count();
  }

  private static Graph optimized(Graph g) {
    return Pipeline.standard().run(g).graph();
  }

  @Test
  void independentProductsSharingAWeightBecomeOneOverStackedRows() throws Exception {
    Node w = e.param("w", f64(Shape.of(4, 5)));
    for (int t = 0; t < 3; t++) {
      Node x = e.input("x" + t, f64(Shape.batched(4)));
      b.output("y" + t, e.tanh(e.matmul(x, w)));
    }
    Graph g = b.build();
    Graph m = new DotMerger().run(g);
    assertEquals(1, products(m), m.toText());
    Node merged = stacked(m).get(0);
    assertEquals(Shape.batched(3, 4), merged.input(0).shape());
    assertEquals(Shape.batched(3, 5), merged.shape());
    assertSame(w, g.params().get("w"));
    assertSameValues(g, m);
  }

  @Test
  void refusesProductsWithAPathBetweenThem() throws Exception {
    Node w = e.param("w", f64(Shape.of(4, 4)));
    Node h = e.input("x", f64(Shape.batched(4)));
    for (int t = 0; t < 4; t++) {
      h = e.tanh(e.matmul(h, w)); // each product reads the one before: a recurrence
    }
    b.output("h", h);
    Graph g = b.build();
    Graph m = new DotMerger().run(g);
    assertSame(g, m, "nothing to merge");
    assertEquals(4, products(m));
  }

  /**
   * Products needed by different kinds of role are not merged: here one only by an output, one only
   * by the loss (a forward pass computing the output would otherwise compute the loss's product).
   */
  @Test
  void refusesProductsNeededByDifferentRoles() throws Exception {
    Node w = e.param("w", f64(Shape.of(4, 4)));
    b.output("y", e.matmul(e.input("x0", f64(Shape.batched(4))), w));
    b.loss(e.mean(e.matmul(e.input("x1", f64(Shape.batched(4))), w), false));
    Graph g = b.build();
    assertSame(g, new DotMerger().run(g));
  }

  /**
   * Of four products sharing {@code w}, the third reads the second: only the first and the fourth
   * (no path from or to another member) are merged.
   */
  @Test
  void mergesOnlyTheMembersWithoutPathsToOrFromOthers() throws Exception {
    Node w = e.param("w", f64(Shape.of(4, 4)));
    Node p0 = e.matmul(e.input("x0", f64(Shape.batched(4))), w);
    Node p1 = e.matmul(e.input("x1", f64(Shape.batched(4))), w);
    Node p2 = e.matmul(e.sigmoid(p1), w);
    Node p3 = e.matmul(e.input("x3", f64(Shape.batched(4))), w);
    b.output("y0", p0);
    b.output("y2", e.add(p2, p3));
    Graph g = b.build();
    Graph m = new DotMerger().run(g);
    assertEquals(1, stacked(m).size(), m.toText());
    assertEquals(Shape.batched(2, 4), stacked(m).get(0).input(0).shape(), m.toText());
    assertEquals(3, products(m), m.toText());
    assertSameValues(g, m);
  }

  /**
   * A recurrence's weight gradient {@code Σ_t h_tᵀ δz_t} is one product contracting over {@code
   * batch·T} rows; the input projections {@code x_t @ Wx} and the recurrence's backward products
   * {@code δz_t @ Wxᵀ} (here dead: no gradient reaches the inputs) are merged as rows; the
   * recurrent products {@code h_t @ Wh} and {@code δz_t @ Whᵀ} stay one per step.
   */
  @Test
  void recurrenceGradientsAreMergedAndStayEqual() throws Exception {
    int steps = 5;
    Node wx = e.param("wx", f64(Shape.of(3, 4)));
    Node wh = e.param("wh", f64(Shape.of(4, 4)));
    Node h = e.fill(0, Shape.batched(4), DType.F64);
    Node loss = null;
    for (int t = 0; t < steps; t++) {
      Node x = e.input("x" + t, f64(Shape.batched(3)));
      h = e.tanh(e.add(e.matmul(x, wx), e.matmul(h, wh)));
      Node term = e.mean(e.mul(h, h), false);
      loss = loss == null ? term : e.add(loss, term);
    }
    b.output("h", h);
    b.loss(loss);
    Graph g = Autodiff.differentiate(b.build());
    Graph unmerged =
        new Pipeline(
                List.of(
                    new ConstantFolding(),
                    new Simplify(),
                    new CommonSubexpressions(),
                    new DeadCode()))
            .run(g)
            .graph();
    Graph m = optimized(g);
    assertSameValues(g, m);
    assertSameValues(unmerged, m);
    // dWx and dWh: one contraction each over stacked rows
    long sums =
        stacked(m).stream().filter(n -> ((MatMul) n.op()).transposeA()).map(Node::shape).count();
    assertEquals(2, sums, m.toText());
    assertEquals(Shape.of(3, 4), m.gradients().get("wx").shape());
    assertTrue(
        m.gradients().get("wx").op() instanceof MatMul mm && mm.transposeA(),
        "the whole gradient is the merged product: " + m.toText());
    // forward x_t @ wx as rows; h_t @ wh (steps - 1 non-zero ones) and δz_t @ whᵀ stay per step
    long rows =
        stacked(m).stream().filter(n -> !((MatMul) n.op()).transposeA()).map(Node::shape).count();
    assertEquals(1, rows, m.toText());
    assertTrue(products(unmerged) - products(m) >= 2 * steps - 3, m.toText());
  }

  /**
   * A long recurrence (T = 1,000): each group is checked by two walks of the graph, so this runs in
   * well under a second (quadratic reachability would not); time is measured by {@code
   * CompileTimes}, not asserted here.
   */
  @Test
  void longRecurrenceMergesItsGradients() throws Exception {
    int steps = 1000;
    Node wx = e.param("wx", f64(Shape.of(3, 4)));
    Node wh = e.param("wh", f64(Shape.of(4, 4)));
    Node h = e.fill(0, Shape.batched(4), DType.F64);
    Node x = e.input("x", f64(Shape.batched(steps, 3)));
    Node loss = null;
    for (int t = 0; t < steps; t++) {
      Node xt = e.reshape(e.slice(x, 1, t, t + 1), Shape.batched(3));
      h = e.tanh(e.add(e.matmul(xt, wx), e.matmul(h, wh)));
      Node term = e.mean(h, false);
      loss = loss == null ? term : e.add(loss, term);
    }
    b.loss(loss);
    Graph m = new DotMerger().run(Autodiff.differentiate(b.build()));
    assertEquals(2, stacked(m).stream().filter(n -> ((MatMul) n.op()).transposeA()).count());
    assertTrue(
        stacked(m).stream().anyMatch(n -> n.input(0).shape().equals(Shape.batched(steps, 3))));
  }

  /**
   * A recurrence's bias gradient {@code Σ_t sum(δz_t, axes = [0])} becomes one sum over the stack
   * of the cotangents, the same stack node the weight gradients contract.
   */
  @Test
  void biasGradientsBecomeOneSumOverTheStackedCotangents() throws Exception {
    int steps = 6;
    Node wx = e.param("wx", f64(Shape.of(3, 4)));
    Node wh = e.param("wh", f64(Shape.of(4, 4)));
    Node bz = e.param("bz", f64(Shape.of(4)));
    Node h = e.fill(0, Shape.batched(4), DType.F64);
    Node loss = null;
    for (int t = 0; t < steps; t++) {
      Node x = e.input("x" + t, f64(Shape.batched(3)));
      h = e.tanh(e.add(e.add(e.matmul(x, wx), e.matmul(h, wh)), bz));
      Node term = e.mean(e.mul(h, h), false);
      loss = loss == null ? term : e.add(loss, term);
    }
    b.loss(loss);
    Graph g = Autodiff.differentiate(b.build());
    Graph m = optimized(g);
    assertSameValues(g, m);
    Node grad = m.gradients().get("bz");
    assertTrue(
        grad.op() instanceof Sum s && s.axes().equals(List.of(0, 1)), "merged: " + m.toText());
    assertEquals(Shape.batched(steps, 4), grad.input(0).shape());
    Node dwx = m.gradients().get("wx");
    assertSame(dwx.input(1), grad.input(0), "one stack of δz_t for dWx and db: " + m.toText());
    long sums = m.nodes().stream().filter(n -> n.op() instanceof Sum).count();
    assertEquals(1, sums, m.toText());
  }

  /**
   * Sums that keep the batch axis merge too (over the stack's axis 1 and theirs, shifted); sums of
   * other axes merge among themselves; sums with keepdims or also used elsewhere stay as they are.
   */
  @Test
  void reductionsMergeOnlyWithTheSameAxesAndSingleUse() throws Exception {
    Node total = null;
    Node kept = null;
    Node other = null;
    Node used = e.sum(e.input("u", f64(Shape.batched(3, 4))), false, 1);
    for (int t = 0; t < 3; t++) {
      Node x = e.input("x" + t, f64(Shape.batched(3, 4)));
      Node s = e.sum(e.sigmoid(x), false, 1);
      total = total == null ? s : e.add(total, s);
      Node k = e.sum(x, true, 1);
      kept = kept == null ? k : e.add(kept, k);
      Node o = e.sum(e.tanh(x), false, 2);
      other = other == null ? o : e.add(other, o);
    }
    b.output("total", e.add(total, used));
    b.output("used", used);
    b.output("kept", kept);
    b.output("other", other);
    Graph g = b.build();
    Graph m = optimized(g);
    assertSameValues(g, m);
    Node sum = m.outputs().get("total");
    Node usedAfter = m.outputs().get("used");
    assertTrue(sum.inputs().contains(usedAfter), m.toText());
    Node merged = sum.input(0) == usedAfter ? sum.input(1) : sum.input(0);
    assertTrue(
        merged.op() instanceof Sum s && s.axes().equals(List.of(1, 2)), "merged: " + m.toText());
    assertEquals(Shape.batched(3, 3, 4), merged.input(0).shape());
    assertTrue(
        m.outputs().get("other").op() instanceof Sum s && s.axes().equals(List.of(1, 3)),
        m.toText());
    long keptSums = m.nodes().stream().filter(n -> n.op() instanceof Sum s && s.keepdims()).count();
    assertEquals(3, keptSums, m.toText());
  }

  /**
   * A term of a sum that is also an output, and a partial sum that is an output, keep their values:
   * a merge replaces its members by zeros and builds the merged value at the first, so such a node
   * must not be a member nor inside the merged tree (both were, before roles counted as uses).
   */
  @Test
  void termsAndPartialSumsThatAreOutputsKeepTheirValues() throws Exception {
    Node total = null;
    for (int t = 0; t < 4; t++) {
      Node a = e.input("a" + t, f64(Shape.batched(3)));
      Node g = e.input("g" + t, f64(Shape.batched(5)));
      Node term = e.matmul(a, g, true, false);
      if (t == 0) {
        b.output("term0", term);
      }
      total = total == null ? term : e.add(total, term);
      if (t == 1) {
        b.output("partial", total);
      }
    }
    b.output("total", total);
    Graph g = b.build();
    Graph m = new DotMerger().run(g);
    assertSameValues(g, m);
    assertEquals(1, stacked(m).size(), "the last two terms merge: " + m.toText());
  }
}
