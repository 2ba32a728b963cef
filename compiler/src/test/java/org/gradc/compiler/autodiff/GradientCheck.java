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

  /**
   * Second order: ⟨∇L, v⟩ differentiated again gives the Hessian-vector product H·v, checked
   * against central differences of the autodiff gradient along v, (∇L(p + εv) − ∇L(p − εv)) / 2ε,
   * for a random direction v (zero at, and not compared at, the elements in {@code skip}).
   *
   * @return the largest relative error
   */
  public static double hessianVectorProduct(
      Graph forward,
      Map<String, double[]> values,
      int batch,
      Map<String, java.util.Set<Integer>> skip,
      long seed,
      double tolerance,
      String what)
      throws CompileException {
    Graph joint = Autodiff.differentiate(forward);
    Graph.Builder gb = joint.toBuilder();
    org.gradc.compiler.ir.ops.Emit e =
        new org.gradc.compiler.ir.ops.Emit(gb, org.gradc.compiler.diag.SourceSpan.SYNTHETIC);
    java.util.Random rnd = new java.util.Random(seed);
    Map<String, double[]> tangents = new HashMap<>();
    Map<String, double[]> withTangents = new HashMap<>(values);
    Node dot = null;
    try {
      for (Map.Entry<String, Node> p : forward.params().entrySet()) {
        double[] v = new double[values.get(p.getKey()).length];
        java.util.Set<Integer> fixed = skip.getOrDefault(p.getKey(), java.util.Set.of());
        for (int i = 0; i < v.length; i++) {
          v[i] = fixed.contains(i) ? 0 : 2 * rnd.nextDouble() - 1;
        }
        tangents.put(p.getKey(), v);
        String name = "tangent_" + p.getKey();
        withTangents.put(name, v);
        Node vn = e.input(name, p.getValue().type());
        Node term = e.sum(e.mul(joint.gradients().get(p.getKey()), vn), false);
        dot = dot == null ? term : e.add(dot, term);
      }
    } catch (org.gradc.compiler.ir.ShapeError ex) {
      throw new AssertionError(ex);
    }
    gb.loss(dot);
    Graph hvp = Autodiff.differentiate(gb.build());
    Evaluator.Result r = Evaluator.evaluate(hvp, withTangents, batch);
    double eps = 1e-5;
    Evaluator.Result plus = Evaluator.evaluate(joint, moved(values, tangents, eps), batch);
    Evaluator.Result minus = Evaluator.evaluate(joint, moved(values, tangents, -eps), batch);
    double worst = 0;
    for (String p : forward.params().keySet()) {
      double[] analytic = r.gradient(p);
      double[] gp = plus.gradient(p);
      double[] gm = minus.gradient(p);
      java.util.Set<Integer> fixed = skip.getOrDefault(p, java.util.Set.of());
      for (int i = 0; i < analytic.length; i++) {
        if (fixed.contains(i)) {
          continue;
        }
        double numeric = (gp[i] - gm[i]) / (2 * eps);
        double err = relativeError(analytic[i], numeric);
        worst = Math.max(worst, err);
        if (!(err <= tolerance)) {
          fail(
              what
                  + ": (H v) for "
                  + p
                  + "["
                  + i
                  + "] at "
                  + values.get(p)[i]
                  + ": autodiff "
                  + analytic[i]
                  + ", finite differences of the gradient "
                  + numeric);
        }
      }
    }
    return worst;
  }

  private static Map<String, double[]> moved(
      Map<String, double[]> values, Map<String, double[]> tangents, double eps) {
    Map<String, double[]> out = new HashMap<>(values);
    tangents.forEach(
        (name, v) -> {
          double[] x = values.get(name).clone();
          for (int i = 0; i < x.length; i++) {
            x[i] += eps * v[i];
          }
          out.put(name, x);
        });
    return out;
  }

  /** |a − b| relative to the larger magnitude, absolute below 1e-3. */
  public static double relativeError(double a, double b) {
    return Math.abs(a - b) / Math.max(1e-3, Math.max(Math.abs(a), Math.abs(b)));
  }
}
