package org.gradc.examples;

import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.Datasets;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.Metric;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;

/**
 * Trains {@code Spirals.grad} to tell two interleaved spirals apart: a boundary no straight line
 * and no single bend can draw. Prints the validation accuracy and a picture of what it learned.
 */
public final class SpiralsExample {
  private SpiralsExample() {}

  record Result(Spirals model, double trainAccuracy, double validationAccuracy) {}

  static Result train(int epochs, long seed) {
    Dataset data = Datasets.spirals(1000, 0.02, seed);
    Dataset.Split split = data.split(0.2, seed);
    Spirals model = new Spirals();
    model.initialize(seed);
    History history =
        Trainer.of(model)
            .epochs(epochs)
            .batchSize(32)
            .shuffle(seed)
            .validate(split.validation())
            .progress(Progress.NONE)
            .fit(split.train());
    return new Result(
        model, history.last().get(Metric.ACCURACY), history.last().get(Metric.VAL_ACCURACY));
  }

  /**
   * The class the model predicts over [-1, 1]², one character per cell. The whole grid is one
   * batch, fed and read through the typed API the plugin generated ({@code SpiralsApi}: {@code
   * feedX}, {@code probs}), so a misspelled input or output would not compile.
   */
  static String picture(Spirals model, int size) {
    int cols = 2 * size;
    float[] grid = new float[size * cols * 2];
    for (int row = 0; row < size; row++) {
      for (int col = 0; col < cols; col++) {
        int cell = row * cols + col;
        grid[2 * cell] = -1f + 2f * (col + 0.5f) / cols;
        grid[2 * cell + 1] = 1f - 2f * (row + 0.5f) / size;
      }
    }
    float[] p = new SpiralsApi(model).feedX(grid).forward().probs();
    StringBuilder out = new StringBuilder();
    for (int row = 0; row < size; row++) {
      for (int col = 0; col < cols; col++) {
        int cell = row * cols + col;
        out.append(p[2 * cell + 1] > p[2 * cell] ? '#' : '.');
      }
      out.append('\n');
    }
    return out.toString();
  }

  public static void main(String[] args) {
    Result r = train(60, 3);
    System.out.printf(
        "two spirals: train accuracy %.3f, validation accuracy %.3f%n",
        r.trainAccuracy(), r.validationAccuracy());
    System.out.print(picture(r.model(), 20));
  }
}
