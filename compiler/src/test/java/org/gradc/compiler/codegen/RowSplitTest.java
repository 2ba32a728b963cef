package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.gradc.compiler.Examples;
import org.gradc.compiler.Gradc;
import org.gradc.runtime.Model;
import org.gradc.runtime.RowTeam;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.Metric;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * Kernels split across a {@link RowTeam} ({@link RowSplit}) give one thread's bits: parameters,
 * optimizer state and outputs after training steps and a forward pass agree exactly, with batches
 * that fill the register blocks and batches that leave rows over. Runs in the build's width-test
 * executions too (-XX:MaxVectorSize=16 and 32), where the in-memory class runs its 128- and 256-bit
 * kernels.
 */
class RowSplitTest {
  /** A convolution, then dense layers wide enough to split (392 × 64 at batch 64: 1.6 M). */
  private static final String CNN =
      """
      model TeamCnn
      input  x: float[batch, 14, 14, 1]
      input  y: int[batch]
      param  K1: float[3, 3, 1, 8] = he_uniform
      param  c1: float[8]          = zeros
      param  W1: float[392, 64]    = he_uniform
      param  b1: float[64]         = zeros
      param  W2: float[64, 10]     = glorot_uniform
      param  b2: float[10]         = zeros
      h1 = max_pool2d(relu(conv2d(x, K1, padding = 1) + c1))
      h2 = relu(dense(flatten(h1), W1, b1))
      logits = dense(h2, W2, b2)
      output probs = softmax(logits)
      loss mean(cross_entropy(logits, y, classes = 10))
      optimizer adam(lr = 0.01)
      """;

  @Test
  void fashionMlpOnTwoThreadsHasOneThreadsBits() throws Exception {
    sameBits(Gradc.compile(Examples.FASHION_MLP), 784, 64, 37);
  }

  @Test
  void cnnOnTwoThreadsHasOneThreadsBits() throws Exception {
    sameBits(Gradc.compile(CNN), 196, 64, 70);
  }

  /**
   * {@code Trainer.threads(2)} (validation included) gives {@code threads(1)}'s bits and history,
   * and detaches and closes its team.
   */
  @Test
  void trainerThreadsKeepOneThreadsBits() throws Exception {
    Model one = Gradc.compile(CNN);
    one.initialize(3);
    Model two = one.copy();
    SplittableRandom r = new SplittableRandom(9);
    float[] x = new float[150 * 196];
    int[] y = new int[150];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextInt(10);
    }
    Dataset data = Dataset.of(Dataset.floats("x", x, 14, 14, 1), Dataset.ints("y", y));
    History[] h = new History[2];
    for (int k = 0; k < 2; k++) {
      h[k] =
          Trainer.of(k == 0 ? one : two)
              .threads(k + 1)
              .batchSize(64)
              .epochs(2)
              .shuffle(4)
              .validate(data)
              .progress(Progress.NONE)
              .fit(data);
    }
    assertEquals(h[0].last().get(Metric.LOSS), h[1].last().get(Metric.LOSS), 0.0);
    assertEquals(h[0].last().get(Metric.VAL_LOSS), h[1].last().get(Metric.VAL_LOSS), 0.0);
    for (TensorSpec t : one.spec().ofKind(TensorKind.PARAM)) {
      assertArrayEquals(one.parameter(t.name()), two.parameter(t.name()), t.name());
    }
    assertNull(two.team());
    assertEquals(
        0,
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("gradc-rows-") && t.isAlive())
            .count());
  }

  /**
   * Trains {@code one} alone and a copy with a team of two on the same batches (of {@code batches}
   * rows each, in turn), then runs a forward pass; every parameter, optimizer state and output must
   * have the same bits, and the team must have split kernels.
   */
  private static void sameBits(Model one, int features, int... batches) {
    one.initialize(11);
    Model two = one.copy();
    try (RowTeam team = new RowTeam(2)) {
      two.team(team);
      SplittableRandom r = new SplittableRandom(5);
      for (int step = 0; step < 4; step++) {
        int n = batches[step % batches.length];
        float[] x = new float[n * features];
        int[] y = new int[n];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) r.nextDouble();
        }
        for (int i = 0; i < n; i++) {
          y[i] = r.nextInt(10);
        }
        double[] losses = new double[2];
        for (int k = 0; k < 2; k++) {
          Model m = k == 0 ? one : two;
          m.feed("x", x);
          m.feed("y", y);
          losses[k] = m.trainStep();
        }
        assertEquals(losses[0], losses[1], 0.0, "loss at step " + step);
        assertArrayEquals(one.output("probs"), two.output("probs"), "probs at step " + step);
      }
      for (Model m : new Model[] {one, two}) {
        m.forward();
      }
      assertArrayEquals(one.output("probs"), two.output("probs"), "forward");
      assertTrue(team.forks() > 0, "the team split no kernel");
    }
    for (TensorKind kind : new TensorKind[] {TensorKind.PARAM, TensorKind.STATE}) {
      for (TensorSpec t : one.spec().ofKind(kind)) {
        assertArrayEquals(
            (float[]) one.tensor(kind, t.name()),
            (float[]) two.tensor(kind, t.name()),
            kind + " " + t.name());
      }
    }
  }
}
