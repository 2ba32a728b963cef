package org.gradc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradc.runtime.HandModel;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.FloatColumn;
import org.gradc.runtime.data.IntColumn;
import org.junit.jupiter.api.Test;

class WarmupTest {
  @Test
  void warmingUpLeavesTheModelAndItsTrainingUnchanged() throws InterruptedException {
    HandModel warmed = HandModel.classifier(2, 3, OptimizerKind.ADAM, 0.05);
    warmed.initialize(3);
    HandModel plain = HandModel.classifier(2, 3, OptimizerKind.ADAM, 0.05);
    plain.initialize(3);
    float[] before = warmed.parameter("W").clone();

    Warmup w = Warmup.start(warmed, 16);
    w.join();
    assertEquals(Warmup.MAX_STEPS, w.steps(), "the copy trains until its step budget");
    assertArrayEquals(before, warmed.parameter("W"), "the copy's steps never reach the model");
    assertEquals(0, warmed.steps());
    w.close();

    Dataset train = TrainerTest.blobs(200, 5);
    History a = TrainerTest.quiet(warmed).epochs(2).batchSize(16).shuffle(1).fit(train);
    History b = TrainerTest.quiet(plain).epochs(2).batchSize(16).shuffle(1).fit(train);
    assertArrayEquals(b.values(Metric.LOSS), a.values(Metric.LOSS));
    assertArrayEquals(plain.parameter("W"), warmed.parameter("W"));
  }

  @Test
  void closeStopsTheCopyAfterItsCurrentStep() throws InterruptedException {
    HandModel m = HandModel.classifier(2, 3, OptimizerKind.SGD, 0.1);
    m.initialize(1);
    Warmup w = Warmup.start(m, 8);
    w.close();
    w.join();
    assertTrue(w.steps() < Warmup.MAX_STEPS, "stopped early: " + w.steps());
  }

  /**
   * The warm-up's rows reach the data-dependent parts of a step: on rows of zeros the weight
   * gradient {@code x^T (p - y)} was zero everywhere, so a branch on it was only ever taken one way
   * and C2 compiled the kernel for that alone (FashionMlp's Adam epilogue was deoptimized by the
   * first real batch). Random rows in the inputs' ranges, the same on every call.
   */
  @Test
  void warmUpRowsAreSeededRandomRowsInTheInputsRanges() {
    HandModel m = HandModel.classifier(5, 3, OptimizerKind.ADAM, 0.05);
    m.initialize(2);
    Dataset rows = Warmup.randomRows(m, 64);
    assertEquals(64, rows.size());
    float[] x = ((FloatColumn) rows.column("x")).data();
    int[] y = ((IntColumn) rows.column("y")).data();
    assertEquals(64 * 5, x.length);
    java.util.Set<Integer> labels = new java.util.HashSet<>();
    for (int label : y) {
      assertTrue(label >= 0 && label < 3, "label " + label);
      labels.add(label);
    }
    assertEquals(3, labels.size(), "every class occurs");
    double min = 1;
    double max = 0;
    for (float v : x) {
      assertTrue(v >= 0 && v < 1, "input " + v);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertTrue(max - min > 0.5, "spread over [0, 1): " + min + ".." + max);
    assertArrayEquals(x, ((FloatColumn) Warmup.randomRows(m, 64).column("x")).data());

    m.feed("x", x);
    m.feed("y", y);
    m.trainStep();
    int nonZero = 0;
    for (float g : m.gradient("W")) {
      nonZero += g != 0 ? 1 : 0;
    }
    assertEquals(m.gradient("W").length, nonZero, "every weight has a gradient to round");
  }

  @Test
  void noneDoesNothing() throws InterruptedException {
    Warmup w = Warmup.none();
    w.close();
    w.join();
    assertEquals(0, w.steps());
  }
}
