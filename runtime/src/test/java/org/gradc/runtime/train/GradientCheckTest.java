package org.gradc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradc.runtime.HandModel;
import org.gradc.runtime.OptimizerKind;
import org.junit.jupiter.api.Test;

class GradientCheckTest {
  @Test
  void correctGradientsPass() {
    HandModel m = HandModel.classifier(4, 3, OptimizerKind.ADAM, 0.01);
    m.initialize(2);
    float[] before = m.parameter("W").clone();
    GradientCheck.Report r = GradientCheck.run(m, 5, 1, 100);
    assertEquals(2, r.params().size());
    assertEquals(12, r.params().get(0).checked());
    assertTrue(r.worst() < 1e-2, r.toString());
    assertArrayEquals(before, m.parameter("W"), "parameters are restored");
    HandModel reg = HandModel.regressor(3, OptimizerKind.SGD, 0.1);
    reg.initialize(4);
    GradientCheck.Report rr = GradientCheck.run(reg, 7, 3, 5);
    assertTrue(rr.worst() < 1e-2, rr.toString());
  }

  @Test
  void aWrongGradientIsCaught() {
    HandModel m = HandModel.classifier(4, 3, OptimizerKind.ADAM, 0.01);
    m.initialize(2);
    m.gradientBug = 1.1f; // scales the bias gradient: a typical hand-derivation slip
    GradientCheck.Report r = GradientCheck.run(m, 5, 1, 100);
    assertTrue(r.params().get(0).worstError() < 1e-2, r.toString());
    assertTrue(r.params().get(1).worstError() > 0.03, r.toString());
    assertTrue(r.toString().startsWith("W "), r.toString());
  }
}
