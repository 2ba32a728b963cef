package org.gradc.runtime.data;

import java.nio.file.Path;
import org.gradc.runtime.SplitMix64;

/**
 * Where datasets come from: files (CSV, IDX) and synthetic generators, so every example runs
 * without a download. Synthetic data is a fixed function of its seed ({@link SplitMix64}).
 */
public final class Datasets {
  private Datasets() {}

  /**
   * A text file as byte-level sequences of {@code length} ids for a language model: columns {@code
   * x} and {@code y} (the next byte at each position), one row per non-empty line; see {@link
   * TextLines}, which also counts the lines that were cut.
   */
  public static TextLines text(Path file, int length) {
    return TextLines.read(file, length);
  }

  /** A CSV file with a header line; configure the columns, then {@link CsvLoader#load()}. */
  public static CsvLoader csv(Path file) {
    return new CsvLoader(file);
  }

  /**
   * An IDX image file and its IDX label file (MNIST / Fashion-MNIST, raw or gzipped): column {@code
   * x} holds the raw pixel values as floats (rows of the images' shape, e.g. [28, 28]; use {@link
   * Dataset#normalize(float) normalize(255)}), column {@code y} the labels.
   *
   * @throws DataException naming the file when either is malformed or their counts differ
   */
  public static Dataset idx(Path images, Path labels) {
    return idx(images, labels, 1f);
  }

  /**
   * {@link #idx(Path, Path)} with the pixels divided by {@code divisor} as they are read: the same
   * values as {@code idx(images, labels).normalize(divisor)} without holding the raw copy too (for
   * Fashion-MNIST's training images, 188 MB less at the peak).
   */
  public static Dataset idx(Path images, Path labels, float divisor) {
    IdxReader.Array x = IdxReader.read(images, false, divisor);
    IdxReader.Array y = IdxReader.read(labels, true);
    if (y.dims().length != 1) {
      throw new DataException(
          labels
              + ": expected a 1-dimensional label file, found dimensions "
              + IdxReader.dimsString(y.dims()));
    }
    if (x.count() != y.count()) {
      throw new DataException(
          images
              + " holds "
              + x.count()
              + " examples but "
              + labels
              + " holds "
              + y.count()
              + " labels");
    }
    int[] ints = y.ints();
    for (int i = 0; i < ints.length; i++) {
      if (ints[i] < 0) {
        throw new DataException(labels + ": label " + i + " is " + ints[i] + "; expected >= 0");
      }
    }
    int[] rowShape = java.util.Arrays.copyOfRange(x.dims(), 1, x.dims().length);
    if (rowShape.length == 0) {
      rowShape = new int[] {1};
    }
    return Dataset.of(new FloatColumn("x", rowShape, x.values()), new IntColumn("y", ints));
  }

  /**
   * XOR: {@code n} points uniform in [-1, 1]², label 1 when the coordinates' signs differ. Columns
   * {@code x} [2] and {@code y} (2 classes).
   */
  public static Dataset xor(int n, long seed) {
    SplitMix64 r = new SplitMix64(seed);
    float[] x = new float[2 * n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      double a = 2 * r.nextDouble() - 1;
      double b = 2 * r.nextDouble() - 1;
      x[2 * i] = (float) a;
      x[2 * i + 1] = (float) b;
      y[i] = (a > 0) != (b > 0) ? 1 : 0;
    }
    return Dataset.of(new FloatColumn("x", new int[] {2}, x), new IntColumn("y", y));
  }

  /**
   * Two interleaved spirals: {@link #spirals(int, int, double, long) spirals(n, 2, noise, seed)}.
   */
  public static Dataset spirals(int n, double noise, long seed) {
    return spirals(n, 2, noise, seed);
  }

  /**
   * Interleaved spirals, one arm per class, {@code n} points cycling through the classes: point i
   * of class c = i mod classes, at t = (i div classes)/(n div classes), has radius t and angle 2πt
   * + 2πc/classes, plus Gaussian noise of std {@code noise}. Columns {@code x} [2] and {@code y}.
   */
  public static Dataset spirals(int n, int classes, double noise, long seed) {
    if (classes < 2) {
      throw new IllegalArgumentException("spirals need at least 2 classes, not " + classes);
    }
    SplitMix64 r = new SplitMix64(seed);
    float[] x = new float[2 * n];
    int[] y = new int[n];
    int perClass = Math.max(1, n / classes);
    for (int i = 0; i < n; i++) {
      int c = i % classes;
      double t = (double) (i / classes) / perClass;
      double angle = 2 * Math.PI * t + 2 * Math.PI * c / classes;
      x[2 * i] = (float) (t * StrictMath.cos(angle) + noise * r.nextGaussian());
      x[2 * i + 1] = (float) (t * StrictMath.sin(angle) + noise * r.nextGaussian());
      y[i] = c;
    }
    return Dataset.of(new FloatColumn("x", new int[] {2}, x), new IntColumn("y", y));
  }

  /**
   * Noisy linear regression: {@code x ~ N(0, 1)^features}, {@code y = x·w + bias + noise·N(0,1)}
   * with {@link #linearWeights(int, long) w and bias} drawn from the seed. Columns {@code x}
   * [features] and float {@code y} [1].
   */
  public static Dataset linear(int n, int features, double noise, long seed) {
    double[] w = linearWeights(features, seed);
    SplitMix64 r = SplitMix64.derive(seed, 1);
    float[] x = new float[n * features];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double s = w[features];
      for (int j = 0; j < features; j++) {
        float v = (float) r.nextGaussian();
        x[i * features + j] = v;
        s += v * w[j];
      }
      y[i] = (float) (s + noise * r.nextGaussian());
    }
    return Dataset.of(
        new FloatColumn("x", new int[] {features}, x), new FloatColumn("y", new int[] {1}, y));
  }

  /** The true weights of {@link #linear}: {@code features} values then the bias, all N(0, 1). */
  public static double[] linearWeights(int features, long seed) {
    SplitMix64 r = SplitMix64.derive(seed, 0);
    double[] w = new double[features + 1];
    for (int i = 0; i <= features; i++) {
      w[i] = r.nextGaussian();
    }
    return w;
  }
}
