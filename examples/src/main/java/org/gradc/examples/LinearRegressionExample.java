package org.gradc.examples;

import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.Datasets;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.Metric;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;

/**
 * Fits {@code LinearRegression.grad} to {@code y = x·w + b + noise} and compares the fitted weights
 * with the true ones. With noise of standard deviation σ the best possible validation loss (mean
 * squared error) is σ².
 */
public final class LinearRegressionExample {
  static final int FEATURES = 4;
  static final double NOISE = 0.1;

  private LinearRegressionExample() {}

  /**
   * A trained model.
   *
   * @param truth the true weights then the bias
   * @param fitted the fitted weights then the bias
   */
  record Result(double[] truth, double[] fitted, double validationLoss) {}

  static Result train(int epochs, long seed) {
    Dataset data = Datasets.linear(2000, FEATURES, NOISE, seed);
    Dataset.Split split = data.split(0.2, seed);
    LinearRegression model = new LinearRegression();
    model.initialize(seed);
    History history =
        Trainer.of(model)
            .epochs(epochs)
            .batchSize(32)
            .shuffle(seed)
            .validate(split.validation())
            .progress(Progress.NONE)
            .fit(split.train());
    float[] w = model.parameter("w");
    float[] b = model.parameter("b");
    double[] fitted = new double[FEATURES + 1];
    for (int i = 0; i < FEATURES; i++) {
      fitted[i] = w[i];
    }
    fitted[FEATURES] = b[0];
    return new Result(
        Datasets.linearWeights(FEATURES, seed), fitted, history.last().get(Metric.VAL_LOSS));
  }

  public static void main(String[] args) {
    Result r = train(20, 7);
    System.out.printf(
        "noisy linear regression, %d features, noise %.2f (best possible loss %.4f)%n",
        FEATURES, NOISE, NOISE * NOISE);
    System.out.printf("  validation loss %.4f%n", r.validationLoss());
    for (int i = 0; i <= FEATURES; i++) {
      System.out.printf(
          "  %-4s true %+.4f   fitted %+.4f%n",
          i < FEATURES ? "w" + i : "b", r.truth()[i], r.fitted()[i]);
    }
  }
}
