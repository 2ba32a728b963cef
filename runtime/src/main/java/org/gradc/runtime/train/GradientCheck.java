package org.gradc.runtime.train;

import java.util.ArrayList;
import java.util.List;
import org.gradc.runtime.DType;
import org.gradc.runtime.Model;
import org.gradc.runtime.SplitMix64;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;

/**
 * Checks a model's gradients against central finite differences of its loss, on random inputs: the
 * tool for users who write their own models ({@code gradc gradcheck}).
 *
 * <p>Inputs are drawn from {@link SplitMix64#derive(long, long) SplitMix64.derive(seed, 0)}: floats
 * standard normal, labels uniform in {@code [0, classes)} (in [0, 2) for unbounded int inputs). For
 * each parameter, up to {@code samples} elements (all of them when there are fewer; otherwise
 * chosen at random) are perturbed by {@code ±h·max(1, |w|)}; the numeric derivative divides by the
 * perturbation actually stored (after rounding to the parameter's type). The relative error of one
 * element is {@code |analytic - numeric| / max(|analytic| + |numeric|, floor)}, with a floor that
 * keeps tiny derivatives from dividing by noise. The model's parameters are restored exactly.
 */
public final class GradientCheck {
  private GradientCheck() {}

  /** The worst element of one parameter. */
  public record ParamResult(
      String name,
      int checked,
      double worstError,
      int worstIndex,
      double analytic,
      double numeric) {}

  /** Every parameter's result; {@link #worst()} is the largest relative error of all. */
  public record Report(List<ParamResult> params) {
    public double worst() {
      return params.stream().mapToDouble(ParamResult::worstError).max().orElse(0);
    }

    /** One line per parameter: name, elements checked, worst relative error and where. */
    @Override
    public String toString() {
      StringBuilder s = new StringBuilder();
      for (ParamResult p : params) {
        s.append(
            String.format(
                java.util.Locale.ROOT,
                "%-12s %6d checked  worst relative error %.2e at [%d] (analytic %.6g, numeric"
                    + " %.6g)%n",
                p.name(),
                p.checked(),
                p.worstError(),
                p.worstIndex(),
                p.analytic(),
                p.numeric()));
      }
      return s.toString();
    }
  }

  /**
   * Runs the check with defaults for the model's precision: {@code h} 1e-2 for f32 and 1e-6 for
   * f64, floor 1e-3 for f32 and 1e-8 for f64.
   */
  public static Report run(Model model, int batch, long seed, int samples) {
    boolean f64 = model.spec().precision() == DType.F64;
    return run(model, batch, seed, samples, f64 ? 1e-6 : 1e-2, f64 ? 1e-8 : 1e-3);
  }

  public static Report run(Model model, int batch, long seed, int samples, double h, double floor) {
    feedRandom(model, batch, SplitMix64.derive(seed, 0));
    model.lossAndGradients();
    // every analytic gradient before any perturbation: each loss evaluation overwrites them
    List<TensorSpec> params = model.spec().ofKind(TensorKind.PARAM);
    List<double[]> gradients = new ArrayList<>();
    for (TensorSpec p : params) {
      gradients.add(toDoubles(model.tensor(TensorKind.GRADIENT, p.name())));
    }
    List<ParamResult> results = new ArrayList<>();
    SplitMix64 pick = SplitMix64.derive(seed, 1);
    for (int k = 0; k < params.size(); k++) {
      TensorSpec p = params.get(k);
      Object w = model.tensor(TensorKind.PARAM, p.name());
      double[] analytic = gradients.get(k);
      int n = analytic.length;
      int[] idx =
          n <= samples ? identity(n) : java.util.Arrays.copyOf(pick.permutation(n), samples);
      double worst = -1;
      int worstAt = 0;
      double wa = 0;
      double wn = 0;
      for (int i : idx) {
        double v = get(w, i);
        double step = h * Math.max(1, Math.abs(v));
        set(w, i, v + step);
        double up = get(w, i);
        double lossUp = model.lossAndGradients();
        set(w, i, v - step);
        double down = get(w, i);
        double lossDown = model.lossAndGradients();
        set(w, i, v);
        double numeric = (lossUp - lossDown) / (up - down);
        double err =
            Math.abs(analytic[i] - numeric)
                / Math.max(Math.abs(analytic[i]) + Math.abs(numeric), floor);
        if (!(err <= worst)) {
          worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
          worstAt = i;
          wa = analytic[i];
          wn = numeric;
        }
      }
      results.add(new ParamResult(p.name(), idx.length, Math.max(worst, 0), worstAt, wa, wn));
    }
    model.lossAndGradients(); // leave the analytic gradients in place
    return new Report(results);
  }

  private static void feedRandom(Model model, int batch, SplitMix64 r) {
    for (TensorSpec in : model.spec().ofKind(TensorKind.INPUT)) {
      int len = in.size(batch);
      if (in.dtype() == DType.I32) {
        int[] v = new int[len];
        int classes = in.classes() > 0 ? in.classes() : 2;
        for (int i = 0; i < len; i++) {
          v[i] = r.nextInt(classes);
        }
        model.feed(in.name(), v);
      } else if (in.dtype() == DType.F64) {
        double[] v = new double[len];
        for (int i = 0; i < len; i++) {
          v[i] = r.nextGaussian();
        }
        model.feed(in.name(), v);
      } else {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) {
          v[i] = (float) r.nextGaussian();
        }
        model.feed(in.name(), v);
      }
    }
  }

  private static int[] identity(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    return p;
  }

  private static double[] toDoubles(Object a) {
    if (a instanceof double[] d) {
      return d.clone();
    }
    float[] f = (float[]) a;
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }

  private static double get(Object a, int i) {
    return a instanceof float[] f ? f[i] : ((double[]) a)[i];
  }

  private static void set(Object a, int i, double v) {
    if (a instanceof float[] f) {
      f[i] = (float) v;
    } else {
      ((double[]) a)[i] = v;
    }
  }
}
