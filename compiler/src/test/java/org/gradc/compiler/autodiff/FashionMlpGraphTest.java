package org.gradc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.GraphViews;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.ops.Gather;
import org.gradc.compiler.ir.ops.OneHot;
import org.gradc.compiler.opt.Pipeline;
import org.gradc.compiler.syntax.FrontEnd;
import org.junit.jupiter.api.Test;

/** The Fashion-MNIST MLP of the design, through front end, autodiff and optimizer. */
class FashionMlpGraphTest {
  private static final int BATCH = 2;

  private static Graph forward() throws Exception {
    Path path = org.gradc.compiler.Examples.FASHION_MLP;
    return FrontEnd.check(new SourceFile(path.toString(), Files.readString(path)), DType.F64)
        .graph();
  }

  @Test
  void optimizedBackwardGraphComputesNoGradientForXOrY() throws Exception {
    Graph g = Pipeline.standard().run(Autodiff.differentiate(forward())).graph();
    Node x = g.inputs().get("x");
    Node y = g.inputs().get("y");
    Set<Node> forward = GraphViews.forwardNodes(g);
    for (Node n : g.nodes()) {
      // δx would be the only other value of x's type: δz1·W1ᵀ.
      if (n != x) {
        assertTrue(!n.type().equals(x.type()), "a gradient for x: " + n + "\n" + g.toText());
      }
      // Labels are only read (picked from, or one-hot encoded), never differentiated.
      if (n.inputs().contains(y)) {
        assertTrue(n.op() instanceof Gather || n.op() instanceof OneHot, n.toString());
      }
    }
    assertTrue(forward.contains(x));
    for (String p : g.params().keySet()) {
      Node grad = g.gradients().get(p);
      assertEquals(g.params().get(p).type(), grad.type(), p);
      assertTrue(!forward.contains(grad), "gradient of " + p + " is a backward node");
    }
  }

  /** Optimized gradients equal unoptimized ones, and spot checks against finite differences. */
  @Test
  void gradientsAgreeWithFiniteDifferences() throws Exception {
    Graph fwd = forward();
    Graph joint = Autodiff.differentiate(fwd);
    Graph optimized = Pipeline.standard().run(joint).graph();
    Random rnd = new Random(3);
    Map<String, double[]> values = new HashMap<>();
    values.put("x", fill(rnd, BATCH * 784, 1));
    values.put("y", new double[] {3, 7});
    values.put("W1", fill(rnd, 784 * 256, 0.05));
    values.put("b1", fill(rnd, 256, 0.1));
    values.put("W2", fill(rnd, 256 * 10, 0.1));
    values.put("b2", fill(rnd, 10, 0.1));
    Evaluator.Result a = Evaluator.evaluate(joint, values, BATCH);
    Evaluator.Result b = Evaluator.evaluate(optimized, values, BATCH);
    for (String p : fwd.params().keySet()) {
      double[] ga = a.gradient(p);
      double[] gb = b.gradient(p);
      for (int i = 0; i < ga.length; i++) {
        assertTrue(GradientCheck.relativeError(ga[i], gb[i]) <= 1e-12, p + "[" + i + "]");
      }
      for (int k = 0; k < 6; k++) {
        int i = rnd.nextInt(ga.length);
        double numeric = GradientCheck.numeric(fwd, values, BATCH, p, i);
        assertTrue(
            GradientCheck.relativeError(ga[i], numeric) <= GradientCheck.TOLERANCE,
            p + "[" + i + "]: " + ga[i] + " vs " + numeric);
      }
    }
  }

  private static double[] fill(Random rnd, int n, double scale) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = rnd.nextGaussian() * scale;
    }
    return v;
  }
}
