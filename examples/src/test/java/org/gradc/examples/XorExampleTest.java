package org.gradc.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class XorExampleTest {
  @Test
  void learnsXor() {
    XorExample.Result r = XorExample.train(1000, 1);
    assertTrue(r.finalLoss() < 0.01, "final loss " + r.finalLoss());
    assertTrue(r.finalLoss() < r.firstLoss() / 10, r.firstLoss() + " -> " + r.finalLoss());
    for (int i = 0; i < 4; i++) {
      assertEquals(XorExample.Y[i], r.predictions()[i], 0.2, "point " + i);
    }
  }
}
