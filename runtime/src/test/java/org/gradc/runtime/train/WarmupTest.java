package org.gradc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradc.runtime.HandModel;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.data.Dataset;
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

  @Test
  void noneDoesNothing() throws InterruptedException {
    Warmup w = Warmup.none();
    w.close();
    w.join();
    assertEquals(0, w.steps());
  }
}
