package org.gradc.compiler.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.SplittableRandom;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.Metric;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * The trainer's training accuracy is that of the steps themselves: each step's own predictions (its
 * training-mode outputs, before its update), counted without a second forward pass; on one thread
 * and on several.
 */
class TrainingAccuracyTest {
  static final String PLAIN =
      """
      model Plain
      input  x: float[batch, 3]
      input  y: int[batch]
      param  W: float[3, 4] = glorot_uniform
      param  b: float[4]    = zeros
      z = x @ W + b
      output probs = softmax(z)
      loss   mean(cross_entropy(z, y, classes = 4))
      optimizer sgd(lr = 0.5)
      """;

  static final String DROPOUT =
      """
      model Dropped
      input  x: float[batch, 3]
      input  y: int[batch]
      param  W: float[3, 16] = glorot_uniform
      param  V: float[16, 4] = glorot_uniform
      z = dropout(relu(x @ W), rate = 0.5) @ V
      output probs = softmax(z)
      loss   mean(cross_entropy(z, y, classes = 4))
      optimizer sgd(lr = 0.2)
      """;

  static final int ROWS = 50;
  static final int BATCH = 8;

  static Dataset data() {
    SplittableRandom r = new SplittableRandom(11);
    float[] x = new float[ROWS * 3];
    int[] y = new int[ROWS];
    for (int i = 0; i < ROWS; i++) {
      for (int j = 0; j < 3; j++) {
        x[3 * i + j] = (float) r.nextDouble(-1, 1);
      }
      // learnable: the label is the sign pattern of the first two features
      y[i] = (x[3 * i] > 0 ? 1 : 0) + (x[3 * i + 1] > 0 ? 2 : 0);
    }
    return Dataset.of(Dataset.floats("x", x, 3), Dataset.ints("y", y));
  }

  static Model compile(String src, long seed) throws Exception {
    Model m = Gradc.compile(new SourceFile("m.grad", src), Gradc.Options.defaults());
    m.initialize(seed);
    return m;
  }

  /**
   * The same epoch by hand, counting what {@code predictions} says each step predicted: the rows in
   * file order, batches of {@link #BATCH}.
   */
  static double byHand(Model m, Dataset d, boolean fromTheStep) {
    float[] x = ((org.gradc.runtime.data.FloatColumn) d.column("x")).data();
    int[] y = ((org.gradc.runtime.data.IntColumn) d.column("y")).data();
    long correct = 0;
    for (int from = 0; from < ROWS; from += BATCH) {
      int to = Math.min(ROWS, from + BATCH);
      m.feed("x", java.util.Arrays.copyOfRange(x, from * 3, to * 3));
      m.feed("y", java.util.Arrays.copyOfRange(y, from, to));
      if (!fromTheStep) {
        m.forward();
      }
      float[] before = fromTheStep ? null : m.output("probs");
      m.trainStep();
      float[] p = fromTheStep ? m.output("probs") : before;
      for (int i = 0; i < to - from; i++) {
        int best = 0;
        for (int j = 1; j < 4; j++) {
          if (p[i * 4 + j] > p[i * 4 + best]) {
            best = j;
          }
        }
        correct += best == y[from + i] ? 1 : 0;
      }
    }
    return (double) correct / ROWS;
  }

  static History fit(Model m, Dataset d, int threads) {
    return Trainer.of(m)
        .batchSize(BATCH)
        .epochs(1)
        .dataParallel(threads)
        .progress(Progress.NONE)
        .fit(d);
  }

  /** Without modes the step's predictions are forward()'s with the step's parameters. */
  @Test
  void withoutModesItIsTheForwardPassBeforeEachUpdate() throws Exception {
    Dataset d = data();
    double expected = byHand(compile(PLAIN, 3), d, false);
    assertEquals(expected, byHand(compile(PLAIN, 3), d, true), 0.0);
    assertEquals(expected, fit(compile(PLAIN, 3), d, 1).last().get(Metric.ACCURACY), 0.0);
    // shards count the same predictions (the gradients differ from one thread only by rounding)
    assertEquals(expected, fit(compile(PLAIN, 3), d, 2).last().get(Metric.ACCURACY), 1.0 / ROWS);
  }

  /**
   * With dropout, training accuracy counts the training-mode predictions of the steps (as Keras and
   * PyTorch loops report), not the evaluation-mode ones of a separate forward pass.
   */
  @Test
  void withDropoutItCountsTheTrainingModePredictions() throws Exception {
    Dataset d = data();
    double step = byHand(compile(DROPOUT, 5), d, true);
    double eval = byHand(compile(DROPOUT, 5), d, false);
    assertNotEquals(step, eval, "dropout at rate 0.5 changes some predictions");
    assertEquals(step, fit(compile(DROPOUT, 5), d, 1).last().get(Metric.ACCURACY), 0.0);
  }
}
