package org.gradc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Op;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.compiler.ir.ops.MatMul;
import org.gradc.compiler.ir.ops.Mul;
import org.junit.jupiter.api.Test;

class AutodiffTest {

  private static TensorType f64(Shape s) {
    return new TensorType(DType.F64, s);
  }

  /** The two-layer network of the textbook, with tanh as g: L = Σ tanh(tanh(x·W1 + b1)·W2 + b2). */
  private static final class TwoLayer {
    final Graph.Builder b = Graph.builder().precision(DType.F64);
    final Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    final Node x;
    final Node w1;
    final Node b1;
    final Node w2;
    final Node b2;
    final Node a1;
    final Node a2;

    TwoLayer() throws ShapeError {
      x = e.input("x", f64(Shape.batched(4)));
      w1 = e.param("W1", f64(Shape.of(4, 5)));
      b1 = e.param("b1", f64(Shape.of(5)));
      w2 = e.param("W2", f64(Shape.of(5, 3)));
      b2 = e.param("b2", f64(Shape.of(3)));
      a1 = e.tanh(e.add(e.matmul(x, w1), b1));
      a2 = e.tanh(e.add(e.matmul(a1, w2), b2));
      b.loss(e.sum(a2, false));
    }
  }

  /**
   * The backward graph is the textbook pass, node by node: the expected nodes are built by hand
   * into the forward graph's builder, then compared with what autodiff produced (structurally,
   * since dead-code elimination rebuilds the graph).
   */
  @Test
  void twoLayerBackwardIsTheTextbookPass() throws Exception {
    TwoLayer net = new TwoLayer();
    Graph forward = net.b.build();
    Graph joint = Autodiff.differentiate(forward);

    TwoLayer ref = new TwoLayer();
    Emit e = ref.e;
    Node one = e.scalar(1);
    // δa2 = ∂L/∂a2: the seed spread over the batch.
    Node da2 = e.broadcastTo(e.reshape(e.scalar(1), Shape.of(1, 1)), Shape.batched(3));
    // δz = δa ⊙ g′(z), with tanh′(z) = 1 − a².
    Node dz2 = e.mul(da2, e.sub(one, e.mul(ref.a2, ref.a2)));
    Node dW2 = e.matmul(ref.a1, dz2, true, false); // ∂L/∂W = aᵀ·δz
    Node db2 = e.sum(dz2, false, 0); // ∂L/∂b = Σ_batch δz
    Node da1 = e.matmul(dz2, ref.w2, false, true); // δa_prev = δz·Wᵀ
    Node dz1 = e.mul(da1, e.sub(one, e.mul(ref.a1, ref.a1)));
    Node dW1 = e.matmul(ref.x, dz1, true, false);
    Node db1 = e.sum(dz1, false, 0);

    assertSameExpr(dW2, joint.gradients().get("W2"));
    assertSameExpr(db2, joint.gradients().get("b2"));
    assertSameExpr(dW1, joint.gradients().get("W1"));
    assertSameExpr(db1, joint.gradients().get("b1"));

    // Nothing computes δx: no product with W1ᵀ survives, and x feeds only forward nodes.
    for (Node n : joint.nodes()) {
      assertFalse(
          n.op().equals(new MatMul(false, true)) && n.inputs().contains(joint.params().get("W1")),
          n.toString());
    }
    // Exactly: forward (12 nodes: 5 leaves, 2 × matmul, add, tanh, and the sum) plus the pass.
    long matmuls = joint.nodes().stream().filter(n -> n.op() instanceof MatMul).count();
    assertEquals(5, matmuls, joint.toText()); // 2 forward, dW2, δa1, dW1
  }

  private static void assertSameExpr(Node expected, Node actual) {
    assertTrue(
        sameExpr(expected, actual, new HashMap<>()),
        "expected " + render(expected) + "\n     got " + render(actual));
  }

  private static boolean sameExpr(Node a, Node b, Map<Node, Node> seen) {
    if (seen.get(a) == b) {
      return true;
    }
    if (!a.op().equals(b.op()) || a.inputs().size() != b.inputs().size()) {
      return false;
    }
    for (int i = 0; i < a.inputs().size(); i++) {
      if (!sameExpr(a.input(i), b.input(i), seen)) {
        return false;
      }
    }
    seen.put(a, b);
    return true;
  }

  private static String render(Node n) {
    if (n.inputs().isEmpty()) {
      return n.op().name();
    }
    StringBuilder s = new StringBuilder(n.op().name()).append('(');
    for (int i = 0; i < n.inputs().size(); i++) {
      s.append(i > 0 ? ", " : "").append(render(n.input(i)));
    }
    return s.append(')').toString();
  }

  @Test
  void twoLayerGradientsMatchFiniteDifferences() throws Exception {
    TwoLayer net = new TwoLayer();
    Graph g = net.b.build();
    Random rnd = new Random(1);
    Map<String, double[]> values = new HashMap<>();
    values.put("x", random(rnd, 3 * 4));
    values.put("W1", random(rnd, 20));
    values.put("b1", random(rnd, 5));
    values.put("W2", random(rnd, 15));
    values.put("b2", random(rnd, 3));
    assertTrue(GradientCheck.check(g, values, 3) <= GradientCheck.TOLERANCE);
  }

  private static double[] random(Random rnd, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = rnd.nextGaussian() * 0.7;
    }
    return v;
  }

  /**
   * Second order: differentiating ⟨∇L(W), v⟩ gives the Hessian-vector product H·v, checked against
   * central differences of the gradient, (∇L(W + εv) − ∇L(W − εv)) / 2ε.
   */
  @Test
  void hessianVectorProductMatchesFiniteDifferencesOfGradients() throws Exception {
    Graph.Builder b = Graph.builder().precision(DType.F64);
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    Node x = e.input("x", f64(Shape.batched(3)));
    Node w = e.param("W", f64(Shape.of(3, 2)));
    Node c = e.param("c", f64(Shape.of(2)));
    Node h = e.sigmoid(e.add(e.matmul(x, w), c));
    Node lse = e.log(e.sum(e.exp(e.mul(h, h)), false, 1));
    b.loss(e.mean(e.add(lse, e.pow(e.sum(e.abs(w), false), 2)), false));
    Graph forward = b.build();
    Graph grads = Autodiff.differentiate(forward);

    // ⟨∇L, v⟩ with v an input of each parameter's shape.
    Graph.Builder gb = grads.toBuilder();
    Emit ge = new Emit(gb, SourceSpan.SYNTHETIC);
    Node vw = ge.input("vW", f64(Shape.of(3, 2)));
    Node vc = ge.input("vc", f64(Shape.of(2)));
    Node dot =
        ge.add(
            ge.sum(ge.mul(grads.gradients().get("W"), vw), false),
            ge.sum(ge.mul(grads.gradients().get("c"), vc), false));
    gb.loss(dot);
    Graph hvp = Autodiff.differentiate(gb.build());

    Random rnd = new Random(7);
    Map<String, double[]> values = new HashMap<>();
    values.put("x", random(rnd, 4 * 3));
    values.put("W", random(rnd, 6));
    values.put("c", random(rnd, 2));
    values.put("vW", random(rnd, 6));
    values.put("vc", random(rnd, 2));
    Evaluator.Result r = Evaluator.evaluate(hvp, values, 4);
    double eps = 1e-5;
    Map<String, double[]> plus = shifted(values, eps);
    Map<String, double[]> minus = shifted(values, -eps);
    Evaluator.Result rp = Evaluator.evaluate(grads, plus, 4);
    Evaluator.Result rm = Evaluator.evaluate(grads, minus, 4);
    for (String p : List.of("W", "c")) {
      double[] analytic = r.gradient(p);
      double[] gp = rp.gradient(p);
      double[] gm = rm.gradient(p);
      for (int i = 0; i < analytic.length; i++) {
        double numeric = (gp[i] - gm[i]) / (2 * eps);
        double err = GradientCheck.relativeError(analytic[i], numeric);
        assertTrue(err <= 1e-6, p + "[" + i + "]: " + analytic[i] + " vs " + numeric);
      }
    }
  }

  private static Map<String, double[]> shifted(Map<String, double[]> values, double eps) {
    Map<String, double[]> out = new HashMap<>(values);
    for (String p : List.of("W", "c")) {
      double[] v = values.get(p).clone();
      double[] d = values.get("v" + p);
      for (int i = 0; i < v.length; i++) {
        v[i] += eps * d[i];
      }
      out.put(p, v);
    }
    return out;
  }

  @Test
  void stopGradientBlocksTheDerivative() throws Exception {
    Graph.Builder b = Graph.builder().precision(DType.F64);
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    Node w = e.param("w", f64(Shape.of(3)));
    b.loss(e.sum(e.mul(w, e.stopGradient(w)), false));
    Graph joint = Autodiff.differentiate(b.build());
    double[] v = {1, -2, 3};
    // d/dw (w · sg(w)) = sg(w) = w, not 2w.
    assertArrayEquals(v, Evaluator.evaluate(joint, Map.of("w", v), 1).gradient("w"));
  }

  @Test
  void noGradientForInputsLabelsOrConstantsAndZerosForUnusedParams() throws Exception {
    Graph.Builder b = Graph.builder().precision(DType.F64);
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    Node x = e.input("x", f64(Shape.batched(3)));
    Node y = e.input("y", new TensorType(DType.I32, Shape.batched()));
    Node w = e.param("w", f64(Shape.of(3)));
    e.param("unused", f64(Shape.of(2)));
    Node k = e.constant(new double[] {1, 2, 3}, Shape.of(3), DType.F64);
    Node z = e.mul(e.add(x, k), w);
    b.loss(e.mean(e.gather(z, y), false));
    Graph joint = Autodiff.differentiate(b.build());
    assertEquals(List.of("w", "unused"), List.copyOf(joint.gradients().keySet()));
    // The forward z = (x + k) ⊙ w is the only product with w: δx = δz ⊙ w was never kept.
    Node wj = joint.params().get("w");
    assertEquals(
        1,
        joint.nodes().stream()
            .filter(n -> n.op() instanceof Mul && n.inputs().contains(wj))
            .count(),
        joint.toText());
    Evaluator.Result r =
        Evaluator.evaluate(
            joint,
            Map.of(
                "x",
                new double[] {1, 1, 1, 2, 2, 2},
                "y",
                new double[] {0, 2},
                "w",
                new double[] {1, 1, 1},
                "unused",
                new double[2]),
            2);
    assertArrayEquals(new double[] {1, 0, 2.5}, r.gradient("w"), 1e-12);
    assertArrayEquals(new double[] {0, 0}, r.gradient("unused"));
  }

  @Test
  void anOpWithoutADerivativeRuleIsACompileError() throws Exception {
    SourceFile file = new SourceFile("m.grad", "loss mystery(w)\n");
    SourceSpan at = new SourceSpan(file, 5, 15);
    Graph.Builder b = Graph.builder().precision(DType.F64);
    Emit e = new Emit(b, at);
    Node w = e.param("w", f64(Shape.of(2)));
    Op mystery =
        new Op() {
          @Override
          public String name() {
            return "mystery";
          }

          @Override
          public TensorType infer(List<TensorType> inputs) {
            return new TensorType(DType.F64, Shape.SCALAR);
          }

          @Override
          public List<Node> vjp(Node out, Node cotangent, Graph.Builder b) {
            throw new UnsupportedOperationException();
          }

          @Override
          public double[] evaluate(Node out, List<double[]> inputs, int batch) {
            return new double[] {0};
          }
        };
    b.loss(e.node(mystery, w));
    CompileException ex =
        assertThrows(CompileException.class, () -> Autodiff.differentiate(b.build()));
    assertEquals(
        "m.grad:1:6: error[E0401]: cannot differentiate mystery: it has no derivative rule",
        ex.diagnostics().get(0).headline());
  }

  @Test
  void theLossMustBeAScalar() throws Exception {
    Graph.Builder b = Graph.builder();
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    b.loss(e.param("w", new TensorType(DType.F32, Shape.of(2))));
    CompileException ex =
        assertThrows(CompileException.class, () -> Autodiff.differentiate(b.build()));
    assertTrue(ex.getMessage().contains("E0402"));
    assertTrue(ex.getMessage().contains("the loss must be a float scalar, got float[2]"));
  }
}
