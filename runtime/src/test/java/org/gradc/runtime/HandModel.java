package org.gradc.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * A hand-written stand-in for a generated model: a linear layer {@code z = x @ W + b} with either a
 * softmax cross-entropy loss against int labels {@code y} (classification) or a mean squared error
 * against float targets {@code y} (regression), and the optimizer update rules of {@link
 * OptimizerKind}. It lets the runtime tests run the whole trainer/checkpoint path without the
 * compiler.
 */
public final class HandModel extends Model {
  private final int d;
  private final int c;
  private final boolean classify;
  private final Object[] buffers;

  /** Multiplies the bias gradient, to test that gradient checks catch wrong gradients. */
  public float gradientBug = 1f;

  private HandModel(ModelSpec spec, int d, int c, boolean classify) {
    super(spec);
    this.d = d;
    this.c = c;
    this.classify = classify;
    this.buffers = new Object[spec.tensors().size()];
    for (int i = 0; i < buffers.length; i++) {
      TensorSpec t = spec.tensors().get(i);
      if (!t.batched()) {
        buffers[i] = t.dtype() == DType.I32 ? new int[t.rowSize()] : new float[t.rowSize()];
      }
    }
    initialize(0);
  }

  /** Softmax regression: x[batch, d], y int[batch] in [0, c), output probs[batch, c]. */
  public static HandModel classifier(int d, int c, OptimizerKind opt, double lr) {
    return new HandModel(spec("Softmax", d, c, true, opt, lr), d, c, true);
  }

  /** Linear regression: x[batch, d], float target y[batch, 1], output pred[batch, 1]. */
  public static HandModel regressor(int d, OptimizerKind opt, double lr) {
    return new HandModel(spec("Linear", d, 1, false, opt, lr), d, 1, false);
  }

  static ModelSpec spec(String name, int d, int c, boolean classify, OptimizerKind opt, double lr) {
    List<TensorSpec> t = new ArrayList<>();
    int b = TensorSpec.BATCH;
    t.add(new TensorSpec("x", TensorKind.INPUT, DType.F32, new int[] {b, d}, "x", null, 0));
    if (classify) {
      t.add(new TensorSpec("y", TensorKind.INPUT, DType.I32, new int[] {b}, "y", null, c));
    } else {
      t.add(new TensorSpec("y", TensorKind.INPUT, DType.F32, new int[] {b, 1}, "y", null, 0));
    }
    Init glorot = new Init(Initializer.GLOROT_UNIFORM, List.of());
    t.add(new TensorSpec("W", TensorKind.PARAM, DType.F32, new int[] {d, c}, "W", glorot, 0));
    Init zeros = new Init(Initializer.ZEROS, List.of());
    t.add(new TensorSpec("b", TensorKind.PARAM, DType.F32, new int[] {c}, "b", zeros, 0));
    String out = classify ? "probs" : "pred";
    t.add(new TensorSpec(out, TensorKind.OUTPUT, DType.F32, new int[] {b, c}, out, null, 0));
    for (String p : List.of("W", "b")) {
      int[] shape = p.equals("W") ? new int[] {d, c} : new int[] {c};
      t.add(new TensorSpec(p + ".grad", TensorKind.GRADIENT, DType.F32, shape, p, null, 0));
      for (String s : opt.stateNames()) {
        t.add(new TensorSpec(p + "." + s, TensorKind.STATE, DType.F32, shape, p, null, 0));
      }
    }
    double[] hyper = new double[opt.hyperParameters().size()];
    for (int i = 0; i < hyper.length; i++) {
      hyper[i] = opt.hyperParameters().get(i).defaultValue();
    }
    hyper[opt.indexOf("lr")] = lr;
    return new ModelSpec(name, DType.F32, t, opt, hyper);
  }

  @Override
  protected Object buffer(int slot) {
    return buffers[slot];
  }

  @Override
  protected void allocate(int n) {
    for (int i = 0; i < buffers.length; i++) {
      TensorSpec t = spec().tensors().get(i);
      if (t.batched()) {
        buffers[i] = t.dtype() == DType.I32 ? new int[t.size(n)] : new float[t.size(n)];
      }
    }
  }

  private float[] f(TensorKind kind, String name) {
    return (float[]) buffers[spec().slot(kind, name)];
  }

  @Override
  protected void runForward(int n) {
    float[] x = f(TensorKind.INPUT, "x");
    float[] w = f(TensorKind.PARAM, "W");
    float[] bias = f(TensorKind.PARAM, "b");
    float[] out = f(TensorKind.OUTPUT, classify ? "probs" : "pred");
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < c; j++) {
        double z = bias[j];
        for (int k = 0; k < d; k++) {
          z += (double) x[r * d + k] * w[k * c + j];
        }
        out[r * c + j] = (float) z;
      }
      if (classify) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
          max = Math.max(max, out[r * c + j]);
        }
        double sum = 0;
        for (int j = 0; j < c; j++) {
          sum += Math.exp(out[r * c + j] - max);
        }
        for (int j = 0; j < c; j++) {
          out[r * c + j] = (float) (Math.exp(out[r * c + j] - max) / sum);
        }
      }
    }
  }

  @Override
  protected double runEvaluate(int n) {
    runForward(n);
    float[] out = f(TensorKind.OUTPUT, classify ? "probs" : "pred");
    double loss = 0;
    for (int r = 0; r < n; r++) {
      if (classify) {
        int label = ((int[]) buffers[spec().slot(TensorKind.INPUT, "y")])[r];
        loss -= Math.log(out[r * c + label]);
      } else {
        double diff = out[r] - f(TensorKind.INPUT, "y")[r];
        loss += diff * diff;
      }
    }
    return loss / n;
  }

  @Override
  protected double runGradients(int n) {
    runForward(n);
    float[] x = f(TensorKind.INPUT, "x");
    float[] out = f(TensorKind.OUTPUT, classify ? "probs" : "pred");
    float[] gw = f(TensorKind.GRADIENT, "W");
    float[] gb = f(TensorKind.GRADIENT, "b");
    java.util.Arrays.fill(gw, 0f);
    java.util.Arrays.fill(gb, 0f);
    double loss = 0;
    double[] dz = new double[c];
    for (int r = 0; r < n; r++) {
      if (classify) {
        int label = ((int[]) buffers[spec().slot(TensorKind.INPUT, "y")])[r];
        loss -= Math.log(out[r * c + label]);
        for (int j = 0; j < c; j++) {
          dz[j] = (out[r * c + j] - (j == label ? 1.0 : 0.0)) / n;
        }
      } else {
        double diff = out[r] - f(TensorKind.INPUT, "y")[r];
        loss += diff * diff;
        dz[0] = 2 * diff / n;
      }
      for (int j = 0; j < c; j++) {
        gb[j] += (float) dz[j] * gradientBug;
        for (int k = 0; k < d; k++) {
          gw[k * c + j] += (float) (x[r * d + k] * dz[j]);
        }
      }
    }
    return loss / n;
  }

  @Override
  protected double runTrainStep(int n) {
    double loss = runGradients(n);
    for (String p : List.of("W", "b")) {
      update(f(TensorKind.PARAM, p), f(TensorKind.GRADIENT, p), p);
    }
    return loss;
  }

  private void update(float[] w, float[] g, String p) {
    OptimizerKind opt = spec().optimizer();
    double lr = hyper[opt.indexOf("lr")];
    double wd = hyper[opt.indexOf("weight_decay")];
    if (opt == OptimizerKind.SGD) {
      double mom = hyper[opt.indexOf("momentum")];
      boolean nesterov = hyper[opt.indexOf("nesterov")] != 0;
      float[] v = f(TensorKind.STATE, p + ".velocity");
      for (int i = 0; i < w.length; i++) {
        double gi = g[i] + wd * w[i];
        v[i] = (float) (mom * v[i] + gi);
        w[i] -= (float) (lr * (nesterov ? gi + mom * v[i] : v[i]));
      }
      return;
    }
    double b1 = hyper[opt.indexOf("beta1")];
    double b2 = hyper[opt.indexOf("beta2")];
    double eps = hyper[opt.indexOf("eps")];
    float[] m = f(TensorKind.STATE, p + ".m");
    float[] v = f(TensorKind.STATE, p + ".v");
    double c1 = 1 - Math.pow(b1, step);
    double c2 = 1 - Math.pow(b2, step);
    for (int i = 0; i < w.length; i++) {
      double gi = g[i];
      if (opt == OptimizerKind.ADAMW) {
        w[i] -= (float) (lr * wd * w[i]);
      } else {
        gi += wd * w[i];
      }
      m[i] = (float) (b1 * m[i] + (1 - b1) * gi);
      v[i] = (float) (b2 * v[i] + (1 - b2) * gi * gi);
      w[i] -= (float) (lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps));
    }
  }

  @Override
  protected Model newInstance() {
    return new HandModel(spec(), d, c, classify);
  }
}
