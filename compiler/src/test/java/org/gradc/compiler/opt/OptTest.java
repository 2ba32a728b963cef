package org.gradc.compiler.opt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.gradc.compiler.ir.Op;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Constant;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.compiler.ir.ops.Fill;
import org.gradc.compiler.ir.ops.Gather;
import org.gradc.compiler.ir.ops.Input;
import org.gradc.compiler.ir.ops.OneHot;
import org.gradc.compiler.ir.ops.Param;
import org.junit.jupiter.api.Test;

class OptTest {
  private final Graph.Builder b = Graph.builder().precision(DType.F64);
  private final Emit e = new Emit(b, SourceSpan.SYNTHETIC);

  private static TensorType f64(Shape s) {
    return new TensorType(DType.F64, s);
  }

  /** Random values for every input and param (labels in [0, 3)), evaluated at batch 3. */
  private static Map<String, double[]> values(Graph g, long seed) {
    Random rnd = new Random(seed);
    Map<String, double[]> v = new HashMap<>();
    for (Node n : g.nodes()) {
      String name =
          n.op() instanceof Input i
              ? i.inputName()
              : n.op() instanceof Param p ? p.paramName() : null;
      if (name == null) {
        continue;
      }
      double[] x = new double[(int) n.shape().size(3)];
      for (int k = 0; k < x.length; k++) {
        x[k] = n.dtype() == DType.I32 ? rnd.nextInt(3) : rnd.nextDouble() * 2 - 0.5;
      }
      v.put(name, x);
    }
    return v;
  }

  /** Every output, the loss and every gradient evaluate equally, up to rounding. */
  private static void assertSameResults(Graph before, Graph after) {
    for (long seed = 0; seed < 3; seed++) {
      Map<String, double[]> v = values(before, seed);
      Evaluator.Result r0 = Evaluator.evaluate(before, v, 3);
      Evaluator.Result r1 = Evaluator.evaluate(after, v, 3);
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

  private static long count(Graph g, Class<? extends Op> op) {
    return g.nodes().stream().filter(n -> op.isInstance(n.op())).count();
  }

  @Test
  void constantFoldingEvaluatesConstantSubgraphs() throws Exception {
    Node x = e.input("x", f64(Shape.batched(3)));
    Node k = e.constant(new double[] {1, 2, 3}, Shape.of(3), DType.F64);
    Node five = e.add(e.scalar(2), e.scalar(3));
    Node ones = e.broadcastTo(e.scalar(1), Shape.batched(3));
    b.output("y", e.mul(e.add(x, e.exp(k)), e.mul(five, ones)));
    b.output(
        "s", e.sum(e.matmul(e.reshape(k, Shape.of(1, 3)), e.reshape(k, Shape.of(3, 1))), false));
    Graph g = b.build();
    Graph f = new DeadCode().run(new ConstantFolding().run(g));
    assertSameResults(g, f);
    // exp(k) became a constant, 2 + 3 and the broadcast of 1 became fills; the matmul is gone.
    assertEquals(1, count(f, Constant.class), f.toText());
    assertTrue(f.toText().contains("fill(5)"), f.toText());
    assertTrue(f.toText().contains("fill(14) : float64[]"), f.toText());
    assertEquals(0, count(f, org.gradc.compiler.ir.ops.MatMul.class));
  }

  /**
   * Products that read a weight transposed (backpropagation through time reads {@code Wh} so at
   * every step) share one {@code transpose(Wh)}.
   */
  @Test
  void productsReadingAWeightTransposedShareOneTranspose() throws Exception {
    Node w = e.param("w", f64(Shape.of(3, 4)));
    Node x1 = e.input("x1", f64(Shape.batched(4)));
    Node x2 = e.input("x2", f64(Shape.batched(4)));
    b.output("y1", e.matmul(x1, w, false, true));
    b.output("y2", e.tanh(e.matmul(x2, w, false, true)));
    b.output("ttw", e.matmul(e.param("u", f64(Shape.of(4, 3))), w, true, true));
    Graph g = b.build();
    // without DotMerger, which would also stack x1 and x2 into one product (DotMergerTest)
    Graph s =
        new Pipeline(
                List.of(
                    new ConstantFolding(),
                    new Simplify(),
                    new CommonSubexpressions(),
                    new DeadCode()))
            .run(g)
            .graph();
    assertSameResults(g, s);
    assertEquals(1, count(s, org.gradc.compiler.ir.ops.Transpose.class), s.toText());
    assertEquals(
        s.outputs().get("y1").input(1), s.outputs().get("y2").input(0).input(1), s.toText());
    assertEquals("matmul", s.outputs().get("y1").op().name());
    assertEquals("matmul(aT, b)", s.outputs().get("ttw").op().name(), s.toText());
  }

  @Test
  void simplifyAppliesEachIdentity() throws Exception {
    Node x = e.param("x", f64(Shape.batched(3)));
    Node w = e.param("w", f64(Shape.of(3, 3)));
    Node u = e.param("u", f64(Shape.of(3)));
    Node y = e.input("y", new TensorType(DType.I32, Shape.batched()));
    b.output("add0", e.add(x, e.scalar(0)));
    b.output("mul1", e.mul(e.scalar(1), x));
    b.output("negneg", e.neg(e.neg(x)));
    b.output("logexp", e.log(e.exp(x)));
    b.output("tt", e.transpose(e.transpose(w)));
    b.output("pow", e.add(e.pow(x, 1), e.pow(x, 2)));
    b.output("subneg", e.sub(x, e.neg(u)));
    b.output("div1", e.div(x, e.scalar(1)));
    b.output("where", e.where(e.compare(org.gradc.compiler.ir.Scalar.BinaryFn.GT, x, u), x, x));
    b.output(
        "sumbc",
        e.sum(e.broadcastTo(e.param("v", f64(Shape.of(3))), Shape.batched(2, 3)), true, 0, 1));
    b.output("onehot", e.sum(e.mul(e.oneHot(y, 3, DType.F64), x), false, -1));
    Node col = e.param("col", f64(Shape.batched(1)));
    b.output("hotcol", e.sum(e.mul(e.oneHot(y, 3, DType.F64), col), false, 1));
    b.output("hotcolkeep", e.sum(e.mul(col, e.oneHot(y, 3, DType.F64)), true, 1));
    b.output("hotscalar", e.sum(e.mul(e.oneHot(y, 3, DType.F64), e.scalar(2.5)), false, 1));
    Node always = e.compare(org.gradc.compiler.ir.Scalar.BinaryFn.LT, e.scalar(1), e.scalar(2));
    b.output("constmask", e.where(always, x, e.scalar(7)));
    b.output("sumneg", e.sum(e.neg(x), false, 1));
    b.output("reshape", e.reshape(e.reshape(w, Shape.of(9)), Shape.of(1, 9)));
    Graph g = b.build();
    Graph s = Pipeline.standard().run(g).graph();
    assertSameResults(g, s);
    Graph sg = s;
    for (String name :
        new String[] {"add0", "mul1", "negneg", "logexp", "div1", "where", "constmask"}) {
      assertSame(sg.params().get("x"), sg.outputs().get(name), name + "\n" + sg.toText());
    }
    assertSame(sg.params().get("w"), sg.outputs().get("tt"));
    assertEquals("add", sg.outputs().get("subneg").op().name());
    assertTrue(sg.outputs().get("onehot").op() instanceof Gather, sg.toText());
    assertEquals("reshape([batch])", sg.outputs().get("hotcol").op().name(), sg.toText());
    assertSame(sg.params().get("col"), sg.outputs().get("hotcolkeep"), sg.toText());
    assertEquals("fill(2.5)", sg.outputs().get("hotscalar").op().name(), sg.toText());
    assertEquals("neg", sg.outputs().get("sumneg").op().name(), sg.toText());
    assertEquals(0, count(sg, OneHot.class));
    assertFalse(sg.toText().contains("= pow("), sg.toText());
    assertEquals(1, count(sg, org.gradc.compiler.ir.ops.Sum.class), sg.toText()); // sumneg's
    // reshape(reshape(w)) is one reshape; one aligns v for the sum of its broadcast, one is hotcol.
    assertEquals(3, count(sg, org.gradc.compiler.ir.ops.Reshape.class), sg.toText());
  }

  @Test
  void cseMergesCommutedOperands() throws Exception {
    Node a = e.param("a", f64(Shape.of(2)));
    Node c = e.param("c", f64(Shape.of(2)));
    b.output("p", e.exp(e.add(a, c)));
    b.output("q", e.exp(e.add(c, a)));
    Graph g = b.build();
    Graph s = new CommonSubexpressions().run(g);
    assertSameResults(g, s);
    assertSame(s.outputs().get("p"), s.outputs().get("q"));
    assertEquals(g.nodes().size() - 2, s.nodes().size());
  }

  @Test
  void deadCodeKeepsWhatRolesNeed() throws Exception {
    Node a = e.param("a", f64(Shape.of(2)));
    e.exp(e.log(a));
    e.input("unused", f64(Shape.of(1)));
    b.output("o", e.tanh(a));
    Graph g = b.build();
    Graph s = new DeadCode().run(g);
    assertSameResults(g, s);
    assertEquals(3, s.nodes().size(), s.toText()); // a, unused, tanh
    assertEquals(5, g.nodes().size());
  }

  /** An MLP with softmax cross-entropy written the long way, differentiated, then optimized. */
  @Test
  void pipelineShrinksAnMlpBackwardGraphWithoutChangingIt() throws Exception {
    Node x = e.input("x", f64(Shape.batched(4)));
    Node y = e.input("y", new TensorType(DType.I32, Shape.batched()));
    Node w1 = e.param("W1", f64(Shape.of(4, 5)));
    Node b1 = e.param("b1", f64(Shape.of(5)));
    Node w2 = e.param("W2", f64(Shape.of(5, 3)));
    Node b2 = e.param("b2", f64(Shape.of(3)));
    Node h = e.max(e.add(e.matmul(x, w1), b1), e.scalar(0));
    Node logits = e.add(e.matmul(h, w2), b2);
    Node m = e.stopGradient(e.amax(logits, true, -1));
    Node shifted = e.sub(logits, m);
    Node logp = e.sub(shifted, e.log(e.sum(e.exp(shifted), true, -1)));
    b.output("probs", e.exp(logp));
    b.loss(e.mean(e.neg(e.sum(e.mul(e.oneHot(y, 3, DType.F64), logp), false, -1)), false));
    Graph joint = Autodiff.differentiate(b.build());
    Pipeline.Result r = Pipeline.standard().run(joint);
    assertSameResults(joint, r.graph());
    assertTrue(r.nodesAfter() < r.nodesBefore(), r.summary());
    // The forward cross-entropy picks with gather (the backward still scatters with one_hot).
    assertEquals(1, count(r.graph(), Gather.class), r.graph().toText());
    // A fixed point: optimizing again changes nothing.
    assertEquals(r.graph().toText(), Pipeline.standard().run(r.graph()).graph().toText());
    assertTrue(r.rounds() >= 2);
    assertTrue(count(r.graph(), Fill.class) > 0);
  }

  /**
   * A tensor read through disjoint slices (an LSTM's gates of {@code z}) gets the sum of its
   * slices' zero-padded cotangents as one concat of the cotangents; overlapping slices keep the
   * sum.
   */
  @Test
  void sumOfPaddedSliceCotangentsIsOneConcat() throws Exception {
    Node x = e.param("x", f64(Shape.batched(8)));
    Node w = e.param("w", f64(Shape.of(8, 8)));
    Node z = e.matmul(x, w);
    Node gates =
        e.add(
            e.mul(e.sigmoid(e.slice(z, 1, 0, 2)), e.tanh(e.slice(z, 1, 4, 6))),
            e.sigmoid(e.slice(z, 1, 6, 8)));
    b.loss(e.mean(e.sum(e.mul(gates, gates), false, -1), false));
    Graph joint = Autodiff.differentiate(b.build());
    Graph s = Pipeline.standard().run(joint).graph();
    assertSameResults(joint, s);
    // z's cotangent: concat(dz0, 0, dz4, dz6) along the columns, no add of padded copies
    Node dz = s.gradients().get("w").input(1);
    assertEquals("concat(axis=1)", dz.op().name(), s.toText());
    assertEquals(4, dz.inputs().size(), s.toText());
    assertEquals("fill(0)", dz.input(1).op().name(), s.toText());
    assertEquals(Shape.batched(2), dz.input(1).shape(), s.toText());

    Graph.Builder b2 = Graph.builder().precision(DType.F64);
    Emit e2 = new Emit(b2, SourceSpan.SYNTHETIC);
    Node x2 = e2.param("x", f64(Shape.batched(8)));
    Node z2 = e2.matmul(x2, e2.param("w", f64(Shape.of(8, 8))));
    Node overlapping = e2.mul(e2.tanh(e2.slice(z2, 1, 0, 4)), e2.slice(z2, 1, 2, 6));
    b2.loss(e2.mean(e2.sum(overlapping, false, -1), false));
    Graph joint2 = Autodiff.differentiate(b2.build());
    Graph s2 = Pipeline.standard().run(joint2).graph();
    assertSameResults(joint2, s2);
    assertEquals("add", s2.gradients().get("w").input(1).op().name(), s2.toText());
  }
}
