package org.gradc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradc.runtime.HandModel;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.SplitMix64;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.data.DataException;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.Datasets;
import org.gradc.runtime.io.CheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  @TempDir Path dir;

  /** Three Gaussian blobs in 2-D, linearly separable with high probability. */
  static Dataset blobs(int n, long seed) {
    SplitMix64 r = new SplitMix64(seed);
    float[] x = new float[2 * n];
    int[] y = new int[n];
    double[][] centers = {{2, 0}, {-1, 1.7}, {-1, -1.7}};
    for (int i = 0; i < n; i++) {
      int c = i % 3;
      x[2 * i] = (float) (centers[c][0] + 0.4 * r.nextGaussian());
      x[2 * i + 1] = (float) (centers[c][1] + 0.4 * r.nextGaussian());
      y[i] = c;
    }
    return Dataset.of(Dataset.floats("x", x, 2), Dataset.ints("y", y));
  }

  static Trainer quiet(Model m) {
    return Trainer.of(m).progress(Progress.NONE);
  }

  @Test
  void classifierLearnsAndReportsMetrics() {
    HandModel m = HandModel.classifier(2, 3, OptimizerKind.ADAM, 0.05);
    m.initialize(1);
    Dataset train = blobs(301, 1);
    Dataset test = blobs(150, 2);
    History h = quiet(m).epochs(5).batchSize(32).shuffle(7).validate(test).fit(train);
    assertEquals(5, h.size());
    assertEquals(
        List.of(
            Metric.LOSS,
            Metric.ACCURACY,
            Metric.VAL_LOSS,
            Metric.VAL_ACCURACY,
            Metric.LR,
            Metric.SECONDS),
        h.metrics());
    assertTrue(h.last().get(Metric.VAL_ACCURACY) > 0.95, h.last().toString());
    assertTrue(h.last().get(Metric.ACCURACY) > 0.9, h.last().toString());
    assertTrue(h.values(Metric.LOSS)[4] < h.values(Metric.LOSS)[0]);
    // 301 rows in batches of 32: 10 batches per epoch, the last one of 13 rows is trained
    assertEquals(50, m.steps());
    assertNull(h.stopReason());
    Metrics eval = Trainer.evaluate(m, test, 64);
    assertEquals(h.last().get(Metric.VAL_LOSS), eval.get(Metric.LOSS), 1e-12);
    assertEquals(h.last().get(Metric.VAL_ACCURACY), eval.get(Metric.ACCURACY), 1e-12);
  }

  @Test
  void regressionFitsANoisyLine() {
    HandModel m = HandModel.regressor(3, OptimizerKind.SGD, 0.05);
    Dataset d = Datasets.linear(400, 3, 0.1, 5);
    History h = quiet(m).epochs(20).batchSize(16).shuffle(1).fit(d);
    assertEquals(List.of(Metric.LOSS, Metric.LR, Metric.SECONDS), h.metrics());
    assertEquals(0.01, h.last().get(Metric.LOSS), 0.005);
    double[] w = Datasets.linearWeights(3, 5);
    for (int j = 0; j < 3; j++) {
      assertEquals(w[j], m.parameter("W")[j], 0.05);
    }
    assertEquals(w[3], m.parameter("b")[0], 0.05);
  }

  private static void assertSameState(Model a, Model b) {
    for (String name : List.of("W", "b", "W.m", "W.v", "b.m", "b.v")) {
      TensorKind kind = name.contains(".") ? TensorKind.STATE : TensorKind.PARAM;
      float[] x = (float[]) a.tensor(kind, name);
      float[] y = (float[]) b.tensor(kind, name);
      for (int i = 0; i < x.length; i++) {
        assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), name + i);
      }
    }
    assertEquals(a.steps(), b.steps());
  }

  private Trainer resumable(Model m, Dataset test, int epochs) {
    return quiet(m)
        .epochs(epochs)
        .batchSize(24)
        .shuffle(99)
        .validate(test)
        .schedule(LrSchedule.cosine(0.001))
        .lr(0.1);
  }

  @Test
  void resumeContinuesBitIdentically() {
    Dataset train = blobs(200, 3);
    Dataset test = blobs(60, 4);
    HandModel straight = HandModel.classifier(2, 3, OptimizerKind.ADAM, 0.05);
    straight.initialize(8);
    History full = resumable(straight, test, 4).fit(train);

    HandModel first = HandModel.classifier(2, 3, OptimizerKind.ADAM, 0.05);
    first.initialize(8);
    Path ckpt = dir.resolve("run.safetensors");
    resumable(first, test, 4)
        .checkpoint(ckpt)
        .listener(
            new TrainingListener() {
              @Override
              public void onEpochEnd(TrainingContext c) {
                if (c.epoch() == 2) {
                  c.requestStop();
                }
              }
            })
        .fit(train);
    assertEquals(2 * 9, first.steps());

    HandModel resumed = HandModel.classifier(2, 3, OptimizerKind.ADAM, 0.05);
    resumed.initialize(12345); // overwritten by the checkpoint
    List<Integer> epochsSeen = new ArrayList<>();
    History rest =
        resumable(resumed, test, 4)
            .resume(ckpt)
            .onEpochEnd(c -> epochsSeen.add(c.epoch()))
            .fit(train);
    assertEquals(List.of(3, 4), epochsSeen);
    assertSameState(straight, resumed);
    assertEquals(4, rest.size());
    for (Metric k : List.of(Metric.LOSS, Metric.ACCURACY, Metric.VAL_LOSS, Metric.LR)) {
      assertArrayEquals(full.values(k), rest.values(k), k.name());
    }
  }

  @Test
  void resumeRefusesADifferentSetup() {
    Dataset train = blobs(90, 3);
    HandModel m = HandModel.classifier(2, 3, OptimizerKind.ADAM, 0.05);
    Path ckpt = dir.resolve("r.safetensors");
    quiet(m).epochs(1).batchSize(10).shuffle(1).checkpoint(ckpt).fit(train);
    CheckpointException e =
        assertThrows(
            CheckpointException.class,
            () -> quiet(m).epochs(2).batchSize(20).shuffle(1).resume(ckpt).fit(train));
    assertEquals(
        ckpt + ": cannot resume bit-identically: the batch size was 10, now it is 20",
        e.getMessage());
    e =
        assertThrows(
            CheckpointException.class,
            () -> quiet(m).epochs(2).batchSize(10).shuffle(1).resume(ckpt).fit(blobs(90, 4)));
    assertTrue(e.getMessage().contains("the training data fingerprint was"), e.getMessage());
  }

  @Test
  void nonFiniteLossStopsAndKeepsTheLastGoodStep() {
    Dataset d = Datasets.linear(64, 3, 0.1, 5);
    List<String> where = new ArrayList<>();
    for (double lr : new double[] {2.2, 2.6, 3.0, 3.5}) {
      HandModel m = HandModel.regressor(3, OptimizerKind.SGD, lr);
      TrainingException e =
          assertThrows(
              TrainingException.class, () -> quiet(m).epochs(80).batchSize(8).shuffle(2).fit(d));
      assertTrue(
          e.getMessage()
              .matches(
                  "loss became (NaN|Infinity) at epoch \\d+, step \\d+ \\(batch \\d+ of 8\\);"
                      + " training stopped, the model keeps the parameters after step \\d+ .*"),
          e.getMessage());
      long failed = Long.parseLong(e.getMessage().replaceAll("^.*?, step (\\d+) .*$", "$1"));
      where.add(e.getMessage().replaceAll("^.*(batch \\d+).*$", "$1"));
      assertEquals(failed - 1, m.steps());
      // the same run, stopped right after step failed-1 by a listener, ends in the same state
      HandModel ref = HandModel.regressor(3, OptimizerKind.SGD, lr);
      quiet(ref)
          .epochs(80)
          .batchSize(8)
          .shuffle(2)
          .listener(
              new TrainingListener() {
                @Override
                public void onBatchEnd(TrainingContext c) {
                  if (c.step() == failed - 1) {
                    c.requestStop();
                  }
                }
              })
          .fit(d);
      assertArrayEquals(ref.parameter("W"), m.parameter("W"));
      assertArrayEquals(ref.parameter("b"), m.parameter("b"));
      assertEquals((failed - 1) / 8, e.history().size());
    }
    assertTrue(where.stream().anyMatch(w -> !w.equals("batch 1")), "some failure mid-epoch");
  }

  @Test
  void mistakesAreReportedBeforeTheFirstStep() {
    HandModel m = HandModel.classifier(2, 3, OptimizerKind.SGD, 0.1);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> quiet(m).earlyStopping(3).fit(blobs(30, 1)));
    assertEquals(
        "early stopping monitors 'val_loss', but this run records [loss, accuracy, lr, seconds]"
            + " (add validation data with validate(...))",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> quiet(m).hyper("beta1", 0.9));
    assertEquals(
        "sgd has no hyper-parameter 'beta1'; it has [lr, momentum, nesterov, weight_decay]",
        e.getMessage());
    DataException d =
        assertThrows(DataException.class, () -> quiet(m).fit(blobs(30, 1).rename("x", "features")));
    assertTrue(d.getMessage().startsWith("training data has no column 'x'"), d.getMessage());
    assertEquals(0, m.steps());
    History h = quiet(m).epochs(1).fit(blobs(30, 1));
    e = assertThrows(IllegalArgumentException.class, () -> h.last().get(Metric.VAL_ACCURACY));
    assertEquals(
        "no metric 'val_accuracy' here; there are [loss, accuracy, lr, seconds]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> quiet(m).threads(0));
    assertEquals("threads must be positive, was 0", e.getMessage());
    // a hand-written model has no separate optimizer update, which data parallelism needs
    long before = m.steps();
    assertThrows(
        UnsupportedOperationException.class,
        () -> quiet(m).dataParallel(2).epochs(1).fit(blobs(30, 1)));
    assertEquals(before, m.steps());
  }

  @Test
  void earlyStoppingOnValidationLoss() {
    Dataset train = blobs(150, 1);
    // validation labels rotated: the better the model fits, the worse the validation loss
    Dataset bad = blobs(60, 2);
    int[] y = ((org.gradc.runtime.data.IntColumn) bad.column("y")).data().clone();
    for (int i = 0; i < y.length; i++) {
      y[i] = (y[i] + 1) % 3;
    }
    Dataset val = bad.with(Dataset.ints("y", y));
    HandModel m = HandModel.classifier(2, 3, OptimizerKind.ADAM, 0.05);
    History h =
        quiet(m)
            .epochs(20)
            .batchSize(16)
            .validate(val)
            .earlyStopping(Metric.VAL_LOSS, 2, 0, true)
            .fit(train);
    assertEquals(3, h.size(), h.toCsv());
    assertTrue(
        h.stopReason().startsWith("early stopping after epoch 3: val_loss has not improved"));
    // restoreBest: the model is back at epoch 1's parameters
    assertEquals(
        h.epoch(1).get(Metric.VAL_LOSS), Trainer.evaluate(m, val, 16).get(Metric.LOSS), 1e-9);
  }

  /**
   * The running metrics a listener reads at batch end (built only when asked for) are the running
   * mean loss and the step's learning rate, and after the last batch the mean equals the epoch's
   * loss; a listener that does not ask sees the same epoch metrics.
   */
  @Test
  void runningMetricsAtBatchEndAreTheRunningMeanAndTheStepsLr() {
    Dataset train = blobs(25, 1);
    HandModel asked = HandModel.classifier(2, 3, OptimizerKind.SGD, 0.1);
    asked.initialize(4);
    List<Double> losses = new ArrayList<>();
    List<Double> lrs = new ArrayList<>();
    History h =
        quiet(asked)
            .epochs(2)
            .batchSize(10)
            .schedule(LrSchedule.cosine(0))
            .listener(
                new TrainingListener() {
                  @Override
                  public void onBatchEnd(TrainingContext c) {
                    // asked twice: the same object, built once
                    assertTrue(c.metrics() == c.metrics());
                    losses.add(c.metrics().get(Metric.LOSS));
                    lrs.add(c.metrics().get(Metric.LR));
                  }
                })
            .fit(train);
    assertEquals(6, losses.size());
    assertEquals(h.epoch(1).get(Metric.LOSS), losses.get(2), 1e-12);
    assertEquals(h.epoch(2).get(Metric.LOSS), losses.get(5), 1e-12);
    assertEquals(h.epoch(2).get(Metric.LR), lrs.get(5), 0);
    assertTrue(lrs.get(0) > lrs.get(5), "the cosine schedule decays: " + lrs);
    HandModel plain = HandModel.classifier(2, 3, OptimizerKind.SGD, 0.1);
    plain.initialize(4);
    History p = quiet(plain).epochs(2).batchSize(10).schedule(LrSchedule.cosine(0)).fit(train);
    assertArrayEquals(p.values(Metric.LOSS), h.values(Metric.LOSS));
  }

  @Test
  void listenersSeeEveryStepAndCanStop() {
    HandModel m = HandModel.classifier(2, 3, OptimizerKind.SGD, 0.1);
    List<String> calls = new ArrayList<>();
    History h =
        quiet(m)
            .epochs(5)
            .batchSize(10)
            .listener(
                new TrainingListener() {
                  @Override
                  public void onTrainStart(TrainingContext c) {
                    calls.add("start " + c.totalSteps());
                  }

                  @Override
                  public void onBatchEnd(TrainingContext c) {
                    calls.add("batch " + c.epoch() + "." + c.batch() + "/" + c.batches());
                    assertTrue(c.metrics().has(Metric.LOSS));
                  }

                  @Override
                  public void onEpochEnd(TrainingContext c) {
                    calls.add("epoch " + c.epoch() + " " + c.history().size());
                    if (c.epoch() == 2) {
                      c.requestStop();
                    }
                  }

                  @Override
                  public void onTrainEnd(TrainingContext c) {
                    calls.add("end " + c.step());
                  }
                })
            .fit(blobs(25, 1));
    assertEquals(
        List.of(
            "start 15",
            "batch 1.1/3",
            "batch 1.2/3",
            "batch 1.3/3",
            "epoch 1 1",
            "batch 2.1/3",
            "batch 2.2/3",
            "batch 2.3/3",
            "epoch 2 2",
            "end 6"),
        calls);
    assertEquals("stopped by a listener after epoch 2", h.stopReason());
  }

  @Test
  void schedulesSetTheLearningRate() {
    assertEquals(0.1, LrSchedule.step(2, 0.5).lr(0.1, 2, 0, 10), 0);
    assertEquals(0.05, LrSchedule.step(2, 0.5).lr(0.1, 3, 0, 10), 0);
    assertEquals(0.1, LrSchedule.cosine(0).lr(0.1, 1, 0, 10), 1e-15);
    assertEquals(0.05, LrSchedule.cosine(0).lr(0.1, 1, 5, 10), 1e-15);
    HandModel m = HandModel.classifier(2, 3, OptimizerKind.SGD, 0.1);
    History h =
        quiet(m).epochs(4).batchSize(30).schedule(LrSchedule.step(1, 0.5)).fit(blobs(30, 1));
    assertArrayEquals(new double[] {0.1, 0.05, 0.025, 0.0125}, h.values(Metric.LR));
    assertEquals(0.0125, m.hyperParameter("lr"));
  }

  @Test
  void progressLinesAndBar() {
    HandModel m = HandModel.classifier(2, 3, OptimizerKind.SGD, 0.1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    quiet(m).epochs(2).batchSize(10).progress(Progress.LINES, out).fit(blobs(30, 1));
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(2, lines.length);
    assertTrue(
        lines[1].matches(
            "epoch 2/2  loss \\d\\.\\d{4}  accuracy \\d\\.\\d{4}  lr 0\\.100  \\(\\d+\\.\\d s,"
                + " [\\d.]+[kM]? ex/s\\)"),
        lines[1]);
    bytes.reset();
    long[] now = {0};
    Trainer.of(m)
        .progress(Progress.BAR, out)
        .clock(() -> now[0] += 150_000_000L)
        .epochs(1)
        .batchSize(10)
        .fit(blobs(30, 1));
    String bar = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(bar.contains("\repoch 1/1 [========>               ]  33% 10/30"), bar);
    assertTrue(bar.contains("ex/s  ETA 0:00  loss "), bar);
    assertTrue(bar.contains("\repoch 1/1  loss "), bar);
    assertTrue(bar.endsWith("\n"));
  }
}
