package org.gradc.compiler.autodiff;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.ops.Input;
import org.gradc.compiler.ir.ops.Param;
import org.gradc.compiler.syntax.FrontEnd;

/**
 * Every prelude function, compiled from a small model through the front end in f64, on random
 * values kept away from its kinks: autodiff gradients agree with central finite differences to
 * 1e-6. {@code p} and {@code q} are parameters, {@code x} a batched input, {@code t} targets in [0,
 * 1], {@code y} int labels, and {@code r} random weights that make the loss a scalar.
 */
class PreludeGradientProperties {

  /** One prelude function applied in a loss, and where its kinks are. */
  record Snippet(String name, String loss, double... kinks) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final java.util.List<Snippet> SNIPPETS =
      java.util.List.of(
          new Snippet("relu", "sum(relu(p) * r)", 0),
          new Snippet("leaky_relu", "sum(leaky_relu(p, alpha = 0.1) * r)", 0),
          new Snippet("softplus", "sum(softplus(p) * r)"),
          new Snippet("silu", "sum(silu(p) * r)"),
          new Snippet("gelu", "sum(gelu(p) * r)"),
          new Snippet("square", "sum(square(p) * r)"),
          new Snippet("clip", "sum(clip(p, -0.5, 0.5) * r)", -0.5, 0.5),
          new Snippet("dense", "sum(dense(x, W, b) * rb)"),
          new Snippet("linear", "sum(linear(x, W) * rb)"),
          new Snippet("logsumexp", "sum(logsumexp(p) * r3)"),
          new Snippet("logsumexp axis 0", "sum(logsumexp(p, axis = 0, keepdims = true) * r15)"),
          new Snippet("log_softmax", "sum(log_softmax(p) * r)"),
          new Snippet("log_softmax axis 0", "sum(log_softmax(p, axis = 0) * r)"),
          new Snippet("softmax", "sum(softmax(p) * r)"),
          new Snippet("softmax axis 0", "sum(softmax(p, axis = 0) * r)"),
          new Snippet("cross_entropy", "mean(cross_entropy(p, y, classes = 5))"),
          new Snippet(
              "cross_entropy batched", "mean(cross_entropy(dense(x, W, b), yb, classes = 5))"),
          new Snippet(
              "binary_cross_entropy_with_logits",
              "sum(binary_cross_entropy_with_logits(p, t) * r)"),
          new Snippet("squared_error", "sum(squared_error(p, q) * r)"),
          new Snippet("mse", "mse(p, q)"),
          new Snippet("mae", "mae(p, q)"),
          new Snippet("l2", "l2(p) + l2(W)"));

  private static final String DECLARATIONS =
      """
      model Check
      input  x: float[batch, 4]
      input  y: int[3]
      input  yb: int[batch]
      input  t: float[3, 5]
      input  r: float[3, 5]
      input  r3: float[3]
      input  r15: float[1, 5]
      input  rb: float[batch, 5]
      param  p: float[3, 5] = zeros
      param  q: float[3, 5] = zeros
      param  W: float[4, 5] = zeros
      param  b: float[5] = zeros
      """;

  /** Every snippet, each try: so no prelude function is left to chance. */
  @Property(tries = 6)
  void everyPreludeFunction(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    for (Snippet s : SNIPPETS) {
      check(s, seed, batch);
    }
  }

  private static void check(Snippet s, long seed, int batch) throws Exception {
    String text = DECLARATIONS + "loss " + s.loss() + "\n";
    Graph g = FrontEnd.check(new SourceFile(s.name() + ".grad", text), DType.F64).graph();
    Random rnd = new Random(seed);
    Map<String, double[]> values = new HashMap<>();
    for (Node n : g.nodes()) {
      String name =
          n.op() instanceof Input i
              ? i.inputName()
              : n.op() instanceof Param p ? p.paramName() : null;
      if (name == null) {
        continue;
      }
      double[] v = new double[(int) n.shape().size(batch)];
      for (int k = 0; k < v.length; k++) {
        v[k] =
            n.dtype() == DType.I32
                ? rnd.nextInt(5)
                : name.equals("t") ? rnd.nextDouble() : awayFrom(rnd, s.kinks());
      }
      values.put(name, v);
    }
    if (s.name().equals("mae")) {
      // |p − q| has its kink where p = q: keep them apart.
      double[] p = values.get("p");
      double[] q = values.get("q");
      for (int k = 0; k < p.length; k++) {
        q[k] = p[k] + (rnd.nextBoolean() ? 1 : -1) * (0.1 + rnd.nextDouble());
      }
    }
    GradientCheck.check(g, values, batch);
  }

  private static double awayFrom(Random rnd, double[] kinks) {
    while (true) {
      double v = rnd.nextDouble() * 4 - 2;
      boolean ok = true;
      for (double k : kinks) {
        ok &= Math.abs(v - k) > 0.05;
      }
      if (ok) {
        return v;
      }
    }
  }
}
