package org.gradc.benchmarks;

/**
 * The hand-written baseline for the XOR net: 2-8-1, tanh hidden layer, linear output, MSE, plain
 * SGD, batch 4, on fixed float arrays with no allocation per step.
 */
final class HandWrittenXor {
  static final float[] X = {0, 0, 0, 1, 1, 0, 1, 1};
  static final float[] Y = {0, 1, 1, 0};

  private final float[] w1 = new float[2 * 8];
  private final float[] b1 = new float[8];
  private final float[] w2 = new float[8];
  private final float[] b2 = new float[1];
  private final float[] h = new float[4 * 8];
  private final float[] dOut = new float[4];

  HandWrittenXor(long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    for (int i = 0; i < w1.length; i++) {
      w1[i] = (float) (r.nextDouble() * 2 - 1);
    }
    for (int i = 0; i < w2.length; i++) {
      w2[i] = (float) (r.nextDouble() * 2 - 1) * 0.5f;
    }
  }

  double trainStep(float lr) {
    double loss = 0;
    for (int i = 0; i < 4; i++) {
      float out = b2[0];
      for (int j = 0; j < 8; j++) {
        float z = b1[j] + X[2 * i] * w1[j] + X[2 * i + 1] * w1[8 + j];
        float a = (float) Math.tanh(z);
        h[i * 8 + j] = a;
        out += a * w2[j];
      }
      float d = out - Y[i];
      loss += d * d;
      dOut[i] = 2 * d / 4;
    }
    for (int j = 0; j < 8; j++) {
      float gw2 = 0;
      float gb1 = 0;
      float gw10 = 0;
      float gw11 = 0;
      for (int i = 0; i < 4; i++) {
        float a = h[i * 8 + j];
        gw2 += a * dOut[i];
        float dz = dOut[i] * w2[j] * (1 - a * a);
        gb1 += dz;
        gw10 += X[2 * i] * dz;
        gw11 += X[2 * i + 1] * dz;
      }
      w2[j] -= lr * gw2;
      b1[j] -= lr * gb1;
      w1[j] -= lr * gw10;
      w1[8 + j] -= lr * gw11;
    }
    float gb2 = 0;
    for (int i = 0; i < 4; i++) {
      gb2 += dOut[i];
    }
    b2[0] -= lr * gb2;
    return loss / 4;
  }
}
