package org.gradc.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LinearRegressionExampleTest {
  @Test
  void recoversTheTrueWeights() {
    LinearRegressionExample.Result r = LinearRegressionExample.train(20, 7);
    for (int i = 0; i < r.truth().length; i++) {
      assertEquals(r.truth()[i], r.fitted()[i], 0.02, "weight " + i);
    }
    double best = LinearRegressionExample.NOISE * LinearRegressionExample.NOISE;
    assertTrue(r.validationLoss() < 1.5 * best, "validation loss " + r.validationLoss());
  }
}
