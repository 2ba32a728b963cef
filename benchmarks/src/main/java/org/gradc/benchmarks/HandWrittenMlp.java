package org.gradc.benchmarks;

import java.util.SplittableRandom;

/**
 * The baseline a careful Java developer would write by hand: the 784-256-10 ReLU MLP with softmax
 * cross-entropy and Adam, as plain loops over float arrays (i-k-j matmuls, no zero skipping, no
 * allocation per step). Same model, batch and optimizer as the gradc and PyTorch runs.
 */
final class HandWrittenMlp {
  static final int IN = 784;
  static final int HIDDEN = 256;
  static final int OUT = 10;

  private final float[] w1 = new float[IN * HIDDEN];
  private final float[] b1 = new float[HIDDEN];
  private final float[] w2 = new float[HIDDEN * OUT];
  private final float[] b2 = new float[OUT];
  private final float[][] params = {w1, b1, w2, b2};
  private final float[][] grads = {
    new float[w1.length], new float[b1.length], new float[w2.length], new float[b2.length]
  };
  private final float[][] m = {
    new float[w1.length], new float[b1.length], new float[w2.length], new float[b2.length]
  };
  private final float[][] v = {
    new float[w1.length], new float[b1.length], new float[w2.length], new float[b2.length]
  };
  private final int maxBatch;
  private final float[] h;
  private final float[] logits;
  private final float[] dLogits;
  private final float[] dH;
  private long step;

  HandWrittenMlp(int maxBatch, long seed) {
    this.maxBatch = maxBatch;
    h = new float[maxBatch * HIDDEN];
    logits = new float[maxBatch * OUT];
    dLogits = new float[maxBatch * OUT];
    dH = new float[maxBatch * HIDDEN];
    SplittableRandom r = new SplittableRandom(seed);
    float a1 = (float) Math.sqrt(6.0 / IN);
    for (int i = 0; i < w1.length; i++) {
      w1[i] = (float) (r.nextDouble() * 2 - 1) * a1;
    }
    float a2 = (float) Math.sqrt(6.0 / (HIDDEN + OUT));
    for (int i = 0; i < w2.length; i++) {
      w2[i] = (float) (r.nextDouble() * 2 - 1) * a2;
    }
  }

  /** One Adam step on rows {@code [0, n)} of x (n × 784) and labels y; returns the mean loss. */
  double trainStep(float[] x, int[] y, int n, float lr) {
    if (n > maxBatch) {
      throw new IllegalArgumentException("batch " + n + " > " + maxBatch);
    }
    forward(x, n);
    // softmax cross-entropy and its gradient
    double loss = 0;
    for (int i = 0; i < n; i++) {
      int lo = i * OUT;
      float max = logits[lo];
      for (int j = 1; j < OUT; j++) {
        max = Math.max(max, logits[lo + j]);
      }
      float sum = 0;
      for (int j = 0; j < OUT; j++) {
        sum += (float) Math.exp(logits[lo + j] - max);
      }
      float logSum = (float) Math.log(sum) + max;
      loss += logSum - logits[lo + y[i]];
      for (int j = 0; j < OUT; j++) {
        dLogits[lo + j] = ((float) Math.exp(logits[lo + j] - logSum) - (j == y[i] ? 1f : 0f)) / n;
      }
    }
    float[] gW1 = grads[0];
    float[] gB1 = grads[1];
    float[] gW2 = grads[2];
    float[] gB2 = grads[3];
    java.util.Arrays.fill(gW2, 0f);
    java.util.Arrays.fill(gB2, 0f);
    // gW2 = hᵀ dLogits; gB2 = Σ dLogits; dH = dLogits W2ᵀ ⊙ relu'(h)
    for (int i = 0; i < n; i++) {
      int ho = i * HIDDEN;
      int lo = i * OUT;
      for (int k = 0; k < HIDDEN; k++) {
        float a = h[ho + k];
        for (int j = 0; j < OUT; j++) {
          gW2[k * OUT + j] += a * dLogits[lo + j];
        }
      }
      for (int j = 0; j < OUT; j++) {
        gB2[j] += dLogits[lo + j];
      }
      for (int k = 0; k < HIDDEN; k++) {
        float s = 0;
        for (int j = 0; j < OUT; j++) {
          s += dLogits[lo + j] * w2[k * OUT + j];
        }
        dH[ho + k] = h[ho + k] > 0 ? s : 0f;
      }
    }
    // gW1 = xᵀ dH; gB1 = Σ dH
    java.util.Arrays.fill(gW1, 0f);
    java.util.Arrays.fill(gB1, 0f);
    for (int i = 0; i < n; i++) {
      int ho = i * HIDDEN;
      for (int k = 0; k < IN; k++) {
        float a = x[i * IN + k];
        int wo = k * HIDDEN;
        for (int j = 0; j < HIDDEN; j++) {
          gW1[wo + j] += a * dH[ho + j];
        }
      }
      for (int j = 0; j < HIDDEN; j++) {
        gB1[j] += dH[ho + j];
      }
    }
    adam(lr);
    return loss / n;
  }

  /** The forward pass on rows {@code [0, n)} of x: h = relu(x W1 + b1); logits = h W2 + b2. */
  private void forward(float[] x, int n) {
    for (int i = 0; i < n; i++) {
      int ho = i * HIDDEN;
      System.arraycopy(b1, 0, h, ho, HIDDEN);
      for (int k = 0; k < IN; k++) {
        float a = x[i * IN + k];
        int wo = k * HIDDEN;
        for (int j = 0; j < HIDDEN; j++) {
          h[ho + j] += a * w1[wo + j];
        }
      }
      for (int j = 0; j < HIDDEN; j++) {
        h[ho + j] = Math.max(h[ho + j], 0f);
      }
      int lo = i * OUT;
      System.arraycopy(b2, 0, logits, lo, OUT);
      for (int k = 0; k < HIDDEN; k++) {
        float a = h[ho + k];
        for (int j = 0; j < OUT; j++) {
          logits[lo + j] += a * w2[k * OUT + j];
        }
      }
    }
  }

  /**
   * One example's class probabilities: the forward pass on x (784 floats) and a softmax, written
   * into {@code probs} (10 floats). Allocates nothing.
   */
  void predict(float[] x, float[] probs) {
    forward(x, 1);
    float max = logits[0];
    for (int j = 1; j < OUT; j++) {
      max = Math.max(max, logits[j]);
    }
    float sum = 0;
    for (int j = 0; j < OUT; j++) {
      probs[j] = (float) Math.exp(logits[j] - max);
      sum += probs[j];
    }
    for (int j = 0; j < OUT; j++) {
      probs[j] /= sum;
    }
  }

  private void adam(float lr) {
    step++;
    float b1 = 0.9f;
    float b2 = 0.999f;
    float c1 = (float) (1 - Math.pow(b1, step));
    float c2 = (float) (1 - Math.pow(b2, step));
    for (int p = 0; p < params.length; p++) {
      float[] w = params[p];
      float[] g = grads[p];
      float[] mp = m[p];
      float[] vp = v[p];
      for (int i = 0; i < w.length; i++) {
        mp[i] = b1 * mp[i] + (1 - b1) * g[i];
        vp[i] = b2 * vp[i] + (1 - b2) * g[i] * g[i];
        w[i] -= lr * (mp[i] / c1) / ((float) Math.sqrt(vp[i] / c2) + 1e-8f);
      }
    }
  }
}
