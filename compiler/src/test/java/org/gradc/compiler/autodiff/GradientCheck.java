package org.gradc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.Map;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;

/**
 * Autodiff gradients against central finite differences of the loss, in f64: for every parameter
 * element, (L(p + h) − L(p − h)) / 2h, with relative error at most {@link #TOLERANCE}.
 */
public final class GradientCheck {
  public static final double TOLERANCE = 1e-6;
  private static final double H = 1e-5;

  private GradientCheck() {}

  /** Checks every gradient of {@code forward}'s loss; returns the largest relative error. */
  public static double check(Graph forward, Map<String, double[]> values, int batch)
      throws CompileException {
    Graph joint = Autodiff.differentiate(forward);
    Evaluator.Result r = Evaluator.evaluate(joint, values, batch);
    double worst = 0;
    for (Map.Entry<String, Node> p : forward.params().entrySet()) {
      double[] analytic = r.gradient(p.getKey());
      double[] base = values.get(p.getKey());
      assertEquals(base.length, analytic.length, "gradient size of " + p.getKey());
      for (int i = 0; i < base.length; i++) {
        double numeric = numeric(forward, values, batch, p.getKey(), i);
        double err = relativeError(analytic[i], numeric);
        worst = Math.max(worst, err);
        if (!(err <= TOLERANCE)) {
          fail(
              "d loss / d "
                  + p.getKey()
                  + "["
                  + i
                  + "]: autodiff "
                  + analytic[i]
                  + ", finite differences "
                  + numeric
                  + " (relative error "
                  + err
                  + ")\n"
                  + joint.toText());
        }
      }
    }
    return worst;
  }

  /** Central difference of the loss in one element of one tensor. */
  public static double numeric(
      Graph g, Map<String, double[]> values, int batch, String name, int i) {
    Map<String, double[]> v = new HashMap<>(values);
    double[] plus = values.get(name).clone();
    double[] minus = values.get(name).clone();
    plus[i] += H;
    minus[i] -= H;
    v.put(name, plus);
    double lp = Evaluator.evaluate(g, v, batch).loss();
    v.put(name, minus);
    double lm = Evaluator.evaluate(g, v, batch).loss();
    return (lp - lm) / (2 * H);
  }

  /** |a − b| relative to the larger magnitude, absolute below 1e-3. */
  public static double relativeError(double a, double b) {
    return Math.abs(a - b) / Math.max(1e-3, Math.max(Math.abs(a), Math.abs(b)));
  }
}
