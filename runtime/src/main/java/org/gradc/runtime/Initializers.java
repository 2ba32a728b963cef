package org.gradc.runtime;

import java.util.List;

/**
 * Fills one parameter from its {@link Init}. Every value is computed in double and rounded once to
 * the buffer's type; elements are drawn in row-major order, one draw (uniform: one {@code
 * nextDouble}, normal: one {@code nextGaussian}) per element.
 *
 * <p>Scales: Glorot uniform {@code ±sqrt(6/(fanIn+fanOut))}, Glorot normal {@code std
 * sqrt(2/(fanIn+fanOut))}, He uniform {@code ±sqrt(6/fanIn)}, He normal {@code std sqrt(2/fanIn)};
 * fan-in/out as {@link Initializer} defines them ({@link #fans}).
 */
final class Initializers {
  private Initializers() {}

  static void fill(TensorSpec t, Object buffer, SplitMix64 rng) {
    Init init = t.init() != null ? t.init() : new Init(Initializer.ZEROS, List.of());
    Initializer kind = init.initializer();
    List<Double> a = init.args();
    if (a.size() != kind.parameters().size()) {
      throw new IllegalArgumentException(
          "parameter '"
              + t.name()
              + "': "
              + kind.displayName()
              + " takes "
              + kind.parameters()
              + ", but was given "
              + a);
    }
    int n = t.rowSize();
    long[] fans = fans(t.shape());
    long fanIn = fans[0];
    long fanOut = fans[1];
    for (int i = 0; i < n; i++) {
      double v;
      switch (kind) {
        case ZEROS -> v = 0.0;
        case ONES -> v = 1.0;
        case CONSTANT -> v = a.get(0);
        case UNIFORM -> v = a.get(0) + (a.get(1) - a.get(0)) * rng.nextDouble();
        case NORMAL -> v = a.get(0) + a.get(1) * rng.nextGaussian();
        case GLOROT_UNIFORM -> v = uniform(rng, StrictMath.sqrt(6.0 / (fanIn + fanOut)));
        case GLOROT_NORMAL -> v = StrictMath.sqrt(2.0 / (fanIn + fanOut)) * rng.nextGaussian();
        case HE_UNIFORM -> v = uniform(rng, StrictMath.sqrt(6.0 / fanIn));
        case HE_NORMAL -> v = StrictMath.sqrt(2.0 / fanIn) * rng.nextGaussian();
        default -> throw new AssertionError(kind);
      }
      set(buffer, i, v);
    }
  }

  /**
   * {@code {fanIn, fanOut}} as {@link Initializer} defines them: for a kernel of rank 3 or more (a
   * convolution's {@code [KH, KW, C_in / groups, C_out]}), the receptive field (the product of all
   * but the last two extents) times the input and the output channels, as Keras and PyTorch compute
   * them; for a matrix its rows and columns; for a vector 1 and its length.
   */
  static long[] fans(int[] shape) {
    int r = shape.length;
    if (r == 0) {
      return new long[] {1, 1};
    }
    if (r == 1) {
      return new long[] {1, Math.max(1, shape[0])};
    }
    long field = 1;
    for (int i = 0; i < r - 2; i++) {
      field *= shape[i];
    }
    return new long[] {Math.max(1, field * shape[r - 2]), Math.max(1, field * shape[r - 1])};
  }

  private static double uniform(SplitMix64 rng, double limit) {
    return (2.0 * rng.nextDouble() - 1.0) * limit;
  }

  static void set(Object buffer, int i, double v) {
    if (buffer instanceof float[] f) {
      f[i] = (float) v;
    } else {
      ((double[]) buffer)[i] = v;
    }
  }

  static void zero(Object buffer) {
    if (buffer instanceof float[] f) {
      java.util.Arrays.fill(f, 0f);
    } else if (buffer instanceof double[] d) {
      java.util.Arrays.fill(d, 0.0);
    } else {
      java.util.Arrays.fill((int[]) buffer, 0);
    }
  }
}
