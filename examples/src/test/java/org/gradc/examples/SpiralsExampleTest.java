package org.gradc.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpiralsExampleTest {
  @Test
  void separatesTheSpirals() {
    SpiralsExample.Result r = SpiralsExample.train(60, 3);
    assertTrue(r.validationAccuracy() > 0.95, "validation accuracy " + r.validationAccuracy());
  }
}
