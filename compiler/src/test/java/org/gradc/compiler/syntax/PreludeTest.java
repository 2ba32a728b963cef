package org.gradc.compiler.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.gradc.compiler.autodiff.Autodiff;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.junit.jupiter.api.Test;

/** The prelude's functions compute what their names promise, stably, with correct gradients. */
class PreludeTest {

  private static Graph graph(String text) throws Exception {
    return FrontEnd.check(new SourceFile("t.grad", text), DType.F64).graph();
  }

  private static double[] output(Graph g, String name, Map<String, double[]> values, int batch) {
    return Evaluator.evaluate(g, values, batch).output(name);
  }

  /**
   * A model's call looks up defs before primitives, so a prelude def named like a primitive would
   * silently replace it (a primitive softplus with an exact derivative, shadowed by the old def).
   */
  @Test
  void noPreludeDefShadowsAPrimitive() {
    java.util.Set<String> shadowing = new java.util.TreeSet<>();
    for (String name : Prelude.get().module().defs().keySet()) {
      if (org.gradc.compiler.ir.Primitives.lookup(name) != null) {
        shadowing.add(name);
      }
    }
    assertTrue(
        shadowing.isEmpty(),
        "prelude defs shadow primitives of the same name (delete the def): " + shadowing);
  }

  @Test
  void preludeParsesAndChecks() {
    assertTrue(Prelude.get().module().defs().containsKey("cross_entropy"));
  }

  @Test
  void softmaxAndLogSumExpAreStableForLargeLogits() throws Exception {
    Graph g =
        graph(
            "model M\ninput x: float[batch, 3]\noutput p = softmax(x)\noutput l = logsumexp(x)\n"
                + "output q = log_softmax(x)\nloss mean(x)\n");
    double[] x = {1000, 1000, 1000, -5, 0, 5};
    Map<String, double[]> v = Map.of("x", x);
    double[] p = output(g, "p", v, 2);
    double[] l = output(g, "l", v, 2);
    double[] q = output(g, "q", v, 2);
    for (int i = 0; i < 3; i++) {
      assertEquals(1.0 / 3, p[i], 1e-12);
    }
    assertEquals(1000 + Math.log(3), l[0], 1e-9);
    double lse = Math.log(Math.exp(-5) + Math.exp(0) + Math.exp(5));
    assertEquals(lse, l[1], 1e-12);
    for (int j = 0; j < 3; j++) {
      assertEquals(Math.exp(x[3 + j] - lse), p[3 + j], 1e-12);
      assertEquals(x[3 + j] - lse, q[3 + j], 1e-12);
    }
  }

  @Test
  void crossEntropyIsTheNegativeLogLikelihoodOfTheLabel() throws Exception {
    Graph g =
        graph(
            "model M\ninput z: float[batch, 4]\ninput y: int[batch]\n"
                + "output ce = cross_entropy(z, y, classes = 4)\nloss mean(cross_entropy(z, y, classes = 4))\n");
    double[] z = {0.1, 2.0, -1.0, 0.5, 3.0, 3.0, 3.0, 3.0};
    double[] y = {1, 3};
    Map<String, double[]> v = Map.of("z", z, "y", y);
    double[] ce = output(g, "ce", v, 2);
    double lse0 = Math.log(Math.exp(0.1) + Math.exp(2.0) + Math.exp(-1.0) + Math.exp(0.5));
    assertEquals(lse0 - 2.0, ce[0], 1e-12);
    assertEquals(Math.log(4), ce[1], 1e-12);
    assertEquals((ce[0] + ce[1]) / 2, Evaluator.evaluate(g, v, 2).loss(), 1e-12);
  }

  @Test
  void binaryCrossEntropyWithLogitsMatchesTheNaiveFormWhereThatIsFinite() throws Exception {
    Graph g =
        graph(
            "model M\ninput z: float[batch]\ninput t: float[batch]\n"
                + "output b = binary_cross_entropy_with_logits(z, t)\noutput s = softplus(z)\nloss mean(z)\n");
    double[] z = {-3, 0.5, 4, 800};
    double[] t = {1, 0, 0.3, 1};
    Map<String, double[]> v = Map.of("z", z, "t", t);
    double[] b = output(g, "b", v, 4);
    double[] s = output(g, "s", v, 4);
    for (int i = 0; i < 3; i++) {
      double sig = 1 / (1 + Math.exp(-z[i]));
      assertEquals(-(t[i] * Math.log(sig) + (1 - t[i]) * Math.log(1 - sig)), b[i], 1e-12);
      assertEquals(Math.log1p(Math.exp(z[i])), s[i], 1e-12);
    }
    assertEquals(0.0, b[3], 1e-12);
    assertEquals(800.0, s[3], 1e-9);
  }

  @Test
  void regressionLossesAndActivations() throws Exception {
    Graph g =
        graph(
            "model M\ninput a: float[batch]\ninput b: float[batch]\noutput m = mse(a, b)\n"
                + "output e = mae(a, b)\noutput r = relu(a)\noutput k = leaky_relu(a, alpha = 0.1)\n"
                + "output c = clip(a, -1, 1)\noutput q = l2(a)\nloss mse(a, b)\n");
    double[] a = {-2, 0.5, 3};
    double[] bb = {0, 1, 1};
    Map<String, double[]> v = Map.of("a", a, "b", bb);
    assertEquals((4 + 0.25 + 4) / 3, output(g, "m", v, 3)[0], 1e-12);
    assertEquals((2 + 0.5 + 2) / 3, output(g, "e", v, 3)[0], 1e-12);
    assertEquals(java.util.List.of(0.0, 0.5, 3.0), list(output(g, "r", v, 3)));
    assertEquals(java.util.List.of(-0.2, 0.5, 3.0), list(output(g, "k", v, 3)));
    assertEquals(java.util.List.of(-1.0, 0.5, 1.0), list(output(g, "c", v, 3)));
    assertEquals(4 + 0.25 + 9, output(g, "q", v, 3)[0], 1e-12);
  }

  private static java.util.List<Double> list(double[] v) {
    java.util.List<Double> l = new java.util.ArrayList<>();
    for (double d : v) {
      l.add(Math.round(d * 1e12) / 1e12);
    }
    return l;
  }

  /** The gradient of a classifier built from prelude functions, against central differences. */
  @Test
  void gradientsThroughThePreludeMatchFiniteDifferences() throws Exception {
    String text =
        "model M\ninput x: float[batch, 3]\ninput y: int[batch]\n"
            + "param W: float[3, 4] = zeros\nparam b: float[4] = zeros\nparam V: float[4, 3] = zeros\n"
            + "h = gelu(dense(x, W, b)) + softplus(x @ W) * 0.1\n"
            + "loss mean(cross_entropy(h @ V, y, classes = 3)) + 0.01 * l2(W) + mean(logsumexp(h))\n";
    Graph g = Autodiff.differentiate(graph(text));
    Random r = new Random(7);
    Map<String, double[]> v = new HashMap<>();
    v.put("x", random(r, 6));
    v.put("y", new double[] {0, 2});
    v.put("W", random(r, 12));
    v.put("b", random(r, 4));
    v.put("V", random(r, 12));
    Evaluator.Result base = Evaluator.evaluate(g, v, 2);
    for (String p : new String[] {"W", "b", "V"}) {
      double[] grad = base.gradient(p);
      double[] w = v.get(p);
      for (int i = 0; i < w.length; i++) {
        double keep = w[i];
        double eps = 1e-6;
        w[i] = keep + eps;
        double up = Evaluator.evaluate(g, v, 2).loss();
        w[i] = keep - eps;
        double down = Evaluator.evaluate(g, v, 2).loss();
        w[i] = keep;
        assertEquals((up - down) / (2 * eps), grad[i], 1e-6, p + "[" + i + "]");
      }
    }
  }

  private static double[] random(Random r, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextGaussian();
    }
    return v;
  }
}
