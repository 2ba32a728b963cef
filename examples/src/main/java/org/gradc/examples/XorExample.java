package org.gradc.examples;

import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.Metric;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;

/**
 * Trains {@code Xor.grad} (2-8-1, tanh, mean squared error, SGD) on the four XOR points, full
 * batch, and prints what it predicts for each.
 *
 * <p>Run: {@code java -cp examples/target/classes:runtime/target/classes
 * org.gradc.examples.XorExample}
 */
public final class XorExample {
  static final float[] X = {0, 0, 0, 1, 1, 0, 1, 1};
  static final float[] Y = {0, 1, 1, 0};

  private XorExample() {}

  /** The four points and their targets: columns {@code x} [2] and {@code y} [1]. */
  static Dataset data() {
    return Dataset.of(Dataset.floats("x", X, 2), Dataset.floats("y", Y, 1));
  }

  /** A trained model and the loss it reached. */
  record Result(Xor model, double firstLoss, double finalLoss, float[] predictions) {}

  static Result train(int epochs, long seed) {
    Xor model = new Xor();
    model.initialize(seed);
    History history =
        Trainer.of(model).epochs(epochs).batchSize(4).progress(Progress.NONE).fit(data());
    double[] loss = history.values(Metric.LOSS);
    float[] predictions = model.predict("x", X).clone();
    return new Result(
        model, loss[0], Trainer.evaluate(model, data(), 4).get(Metric.LOSS), predictions);
  }

  public static void main(String[] args) {
    Result r = train(1000, 1);
    System.out.printf("XOR, 2-8-1 tanh, SGD: loss %.4f -> %.6f%n", r.firstLoss(), r.finalLoss());
    for (int i = 0; i < 4; i++) {
      System.out.printf(
          "  %.0f xor %.0f = %.0f   predicted %.3f%n",
          X[2 * i], X[2 * i + 1], Y[i], r.predictions()[i]);
    }
  }
}
