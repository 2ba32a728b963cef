package org.gradc.compiler.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.gradc.compiler.Gradc;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Data-parallel training ({@link Trainer#dataParallel}) and the separate optimizer update it relies
 * on ({@link Model#applyGradients}), on generated models.
 */
class DataParallelTest {
  private static String classifier(String optimizer) {
    return """
        model Spiral
        input  x: float[batch, 2]
        input  y: int[batch]
        param  W1: float[2, 16]  = he_uniform
        param  b1: float[16]     = zeros
        param  W2: float[16, 3]  = glorot_uniform
        param  b2: float[3]      = zeros
        h      = tanh(x @ W1 + b1)
        logits = h @ W2 + b2
        output probs = softmax(logits)
        loss   mean(cross_entropy(logits, y, classes = 3))
        optimizer %s
        """
        .formatted(optimizer);
  }

  private static Dataset data(int rows, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[rows * 2];
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) {
      x[2 * i] = (float) r.nextDouble(-1, 1);
      x[2 * i + 1] = (float) r.nextDouble(-1, 1);
      y[i] = x[2 * i] * x[2 * i + 1] > 0 ? 0 : x[2 * i] > 0 ? 1 : 2;
    }
    return Dataset.of(Dataset.floats("x", x, 2), Dataset.ints("y", y));
  }

  private static Model model(String optimizer) throws Exception {
    Model m = Gradc.compile(classifier(optimizer));
    m.initialize(42);
    return m;
  }

  private static History fit(Model m, int threads, int batch, int epochs) {
    return Trainer.of(m)
        .dataParallel(threads)
        .batchSize(batch)
        .epochs(epochs)
        .shuffle(3)
        .progress(Progress.NONE)
        .fit(data(203, 9));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd(lr = 0.1)", "adam(lr = 0.01)", "adamw(lr = 0.01)"})
  void applyGradientsEqualsTheFusedTrainStepBitForBit(String optimizer) throws Exception {
    Model fused = model(optimizer);
    Model separate = model(optimizer);
    Dataset d = data(32, 1);
    for (int step = 0; step < 5; step++) {
      for (Model m : new Model[] {fused, separate}) {
        m.feed("x", ((org.gradc.runtime.data.FloatColumn) d.column("x")).data());
        m.feed("y", ((org.gradc.runtime.data.IntColumn) d.column("y")).data());
      }
      double a = fused.trainStep();
      double b = separate.lossAndGradients();
      separate.applyGradients();
      assertEquals(a, b);
      assertEquals(fused.steps(), separate.steps());
      assertSameParameters(fused, separate);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void parallelRunsAreBitIdenticalRunToRun(int threads) throws Exception {
    Model a = model("adam(lr = 0.01)");
    Model b = model("adam(lr = 0.01)");
    History ha = fit(a, threads, 16, 3);
    History hb = fit(b, threads, 16, 3);
    assertSameParameters(a, b);
    assertArrayEquals(
        ha.values(org.gradc.runtime.train.Metric.LOSS),
        hb.values(org.gradc.runtime.train.Metric.LOSS));
    assertArrayEquals(
        ha.values(org.gradc.runtime.train.Metric.ACCURACY),
        hb.values(org.gradc.runtime.train.Metric.ACCURACY));
  }

  /**
   * One thread vs two: the summed gradient of a split batch is reassociated (each shard sums its
   * own rows first), so the parameters agree to rounding, not bit for bit. SGD keeps that rounding
   * from being amplified, so the bound after three epochs is tight.
   */
  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4})
  void parallelMatchesOneThreadToRounding(int threads) throws Exception {
    Model one = model("sgd(lr = 0.1)");
    Model many = model("sgd(lr = 0.1)");
    // batch 16 over 203 rows: the final batch has 11 rows, and batch 1 would leave shards empty
    History h1 = fit(one, 1, 16, 3);
    History hk = fit(many, threads, 16, 3);
    assertEquals(one.steps(), many.steps());
    for (TensorSpec t : one.spec().ofKind(TensorKind.PARAM)) {
      float[] p = one.parameter(t.name());
      float[] q = many.parameter(t.name());
      for (int i = 0; i < p.length; i++) {
        assertEquals(p[i], q[i], 1e-5 * (1 + Math.abs(p[i])), t.name() + "[" + i + "]");
      }
    }
    for (int e = 1; e <= 3; e++) {
      assertEquals(
          h1.epoch(e).get(org.gradc.runtime.train.Metric.LOSS),
          hk.epoch(e).get(org.gradc.runtime.train.Metric.LOSS),
          1e-5);
      assertEquals(
          h1.epoch(e).get(org.gradc.runtime.train.Metric.ACCURACY),
          hk.epoch(e).get(org.gradc.runtime.train.Metric.ACCURACY),
          0.02);
    }
  }

  @org.junit.jupiter.api.Test
  void batchesSmallerThanTheThreadCountStillTrain() throws Exception {
    Model one = model("sgd(lr = 0.1)");
    Model many = model("sgd(lr = 0.1)");
    // batch 3 on 4 threads: shards of 0 rows are skipped; 203 % 3 = 2 rows in the last batch
    Trainer.of(one).batchSize(3).progress(Progress.NONE).fit(data(203, 9));
    Trainer.of(many).dataParallel(4).batchSize(3).progress(Progress.NONE).fit(data(203, 9));
    assertEquals(one.steps(), many.steps());
    float[] p = one.parameter("W1");
    float[] q = many.parameter("W1");
    for (int i = 0; i < p.length; i++) {
      assertEquals(p[i], q[i], 1e-5 * (1 + Math.abs(p[i])));
    }
    assertTrue(Double.isFinite(many.parameter("b2")[0]));
  }

  private static void assertSameParameters(Model a, Model b) {
    for (TensorSpec t : a.spec().ofKind(TensorKind.PARAM)) {
      assertArrayEquals(a.parameter(t.name()), b.parameter(t.name()), t.name());
    }
    for (TensorSpec t : a.spec().ofKind(TensorKind.STATE)) {
      assertArrayEquals(
          (float[]) a.tensor(TensorKind.STATE, t.name()),
          (float[]) b.tensor(TensorKind.STATE, t.name()),
          t.name());
    }
  }
}
