package org.gradc.runtime;

import java.util.List;

/**
 * Fills one parameter from its {@link Init}. Every value is computed in double and rounded once to
 * the buffer's type; elements are drawn in row-major order, one draw (uniform: one {@code
 * nextDouble}, normal: one {@code nextGaussian}) per element.
 *
 * <p>Scales: Glorot uniform {@code ±sqrt(6/(fanIn+fanOut))}, Glorot normal {@code std
 * sqrt(2/(fanIn+fanOut))}, He uniform {@code ±sqrt(6/fanIn)}, He normal {@code std sqrt(2/fanIn)};
 * fan-in/out as {@link Initializer} defines them.
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
    int[] shape = t.shape();
    long fanOut = shape.length == 0 ? 1 : shape[shape.length - 1];
    long fanIn = shape.length == 0 ? 1 : Math.max(1, (long) n / Math.max(1, fanOut));
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
