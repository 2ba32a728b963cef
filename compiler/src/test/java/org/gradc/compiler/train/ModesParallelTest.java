package org.gradc.compiler.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.gradc.compiler.Gradc;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;
import org.junit.jupiter.api.Test;

/** Dropout and batch norm under data parallelism: masks by global row, statistics merged. */
class ModesParallelTest {

  /** A shard at row offset r draws the rows r.. of the whole batch's mask. */
  @Test
  void shardsDrawTheWholeBatchMask() throws Exception {
    String src =
        """
        model Drop
        input x: float[batch, 5]
        param w: float[5] = ones
        loss sum(dropout(x, rate = 0.4) * w)
        optimizer sgd(lr = 0.1)
        """;
    Gradc.Options f64 =
        Gradc.Options.defaults().withPrecision(org.gradc.compiler.codegen.Precision.F64);
    Model whole = Gradc.compile(new org.gradc.compiler.diag.SourceFile("d.grad", src), f64);
    Model shard = whole.copy();
    whole.initialize(17);
    shard.initialize(17);
    whole.steps(4);
    shard.steps(4);
    double[] x = new double[8 * 5];
    SplittableRandom r = new SplittableRandom(2);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextDouble(0.5, 1.5);
    }
    whole.feed("x", x);
    whole.lossAndGradients();
    double[] expected = ((double[]) whole.tensor(TensorKind.GRADIENT, "w")).clone();
    double[] sum = new double[5];
    for (int[] part : new int[][] {{0, 3}, {3, 8}}) {
      shard.rowOffset(part[0]);
      shard.feed("x", java.util.Arrays.copyOfRange(x, part[0] * 5, part[1] * 5));
      shard.lossAndGradients();
      double[] g = (double[]) shard.tensor(TensorKind.GRADIENT, "w");
      for (int i = 0; i < 5; i++) {
        sum[i] += g[i];
      }
    }
    for (int i = 0; i < 5; i++) {
      assertEquals(expected[i], sum[i], 1e-12, "w[" + i + "]");
    }
    // and the mask really drops something: not every x counted
    double all = 0;
    for (int i = 0; i < 5; i++) {
      all += expected[i];
    }
    org.junit.jupiter.api.Assertions.assertNotEquals(0, all);
  }

  private static Dataset data(int rows) {
    SplittableRandom r = new SplittableRandom(5);
    float[] x = new float[rows * 3];
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < 3; j++) {
        x[3 * i + j] = (float) r.nextDouble(-1, 3);
      }
      y[i] = r.nextInt(2);
    }
    return Dataset.of(Dataset.floats("x", x, 3), Dataset.ints("y", y));
  }

  private static final String BN =
      """
      model Bn
      input x: float[batch, 3]
      input y: int[batch]
      param W: float[3, 2] = glorot_uniform
      param g: float[3] = ones
      param b: float[3] = zeros
      state mu: float[3] = zeros
      state var: float[3] = ones
      logits = batch_norm(x, g, b, mu, var) @ W
      loss mean(cross_entropy(logits, y, classes = 2))
      optimizer sgd(lr = 0.1)
      """;

  /**
   * The running mean merged over shards as a row-weighted mean equals the one-thread mean (a mean
   * of shard means weighted by rows is the batch mean); the variance differs (per-shard batches).
   */
  @Test
  void runningMeanMergesAsRowWeightedMean() throws Exception {
    float[][] mus = new float[2][];
    for (int threads : new int[] {1, 2}) {
      Model m = Gradc.compile(BN);
      m.initialize(3);
      Trainer.of(m)
          .dataParallel(threads)
          .batchSize(16)
          .epochs(1)
          .progress(Progress.NONE)
          .fit(data(16));
      mus[threads - 1] = ((float[]) m.tensor(TensorKind.STATE, "mu")).clone();
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(mus[0][i], mus[1][i], 1e-6, "mu[" + i + "]");
      assertEquals(true, mus[0][i] != 0f, "mu moved");
    }
  }

  @Test
  void batchNormRefusesATrainingBatchOfOneRow() throws Exception {
    Model m = Gradc.compile(BN);
    m.feed("x", new float[] {1, 2, 3});
    m.feed("y", new int[] {1});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, m::trainStep);
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("one row"), e.getMessage());
    m.feed("x", new float[] {1, 2, 3});
    m.feed("y", new int[] {1});
    m.evaluate(); // evaluation is fine with one row
  }

  private static final String DROP =
      """
      model DropNet
      input x: float[batch, 3]
      input y: int[batch]
      param W: float[3, 8] = glorot_uniform
      param V: float[8, 2] = glorot_uniform
      logits = dropout(relu(x @ W), rate = 0.5) @ V
      loss mean(cross_entropy(logits, y, classes = 2))
      optimizer adam(lr = 0.01)
      """;

  /**
   * The dropout seed travels in the checkpoint: a run resumed into a model initialized with another
   * seed draws the masks of the straight run (it drew other masks before the seed was saved).
   */
  @Test
  void resumeWithDropoutContinuesBitIdentically(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Dataset train = data(40);
    Model straight = Gradc.compile(DROP);
    straight.initialize(8);
    Trainer.of(straight).batchSize(10).epochs(4).shuffle(1).progress(Progress.NONE).fit(train);

    java.nio.file.Path ckpt = dir.resolve("drop.safetensors");
    Model first = Gradc.compile(DROP);
    first.initialize(8);
    Trainer.of(first)
        .batchSize(10)
        .epochs(2)
        .shuffle(1)
        .checkpoint(ckpt)
        .progress(Progress.NONE)
        .fit(train);
    Model resumed = Gradc.compile(DROP);
    resumed.initialize(12345); // parameters and seed come from the checkpoint
    Trainer.of(resumed)
        .batchSize(10)
        .epochs(4)
        .shuffle(1)
        .resume(ckpt)
        .progress(Progress.NONE)
        .fit(train);
    assertEquals(straight.steps(), resumed.steps());
    assertEquals(8, resumed.seed());
    for (String p : new String[] {"W", "V"}) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          (float[]) straight.tensor(TensorKind.PARAM, p),
          (float[]) resumed.tensor(TensorKind.PARAM, p),
          p);
    }
  }
}
