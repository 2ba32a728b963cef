package org.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TinyLineTest {
  @Test
  void fitsALine() {
    TinyLine model = new TinyLine();
    float[] x = {-1, 0, 1, 2};
    float[] y = {-1, 1, 3, 5}; // y = 2x + 1
    double loss = 0;
    for (int i = 0; i < 300; i++) {
      model.feed("x", x);
      model.feed("y", y);
      loss = model.trainStep();
    }
    assertTrue(loss < 1e-4, "loss " + loss);
    assertEquals(2.0, model.parameter("w")[0], 1e-2);
    assertEquals(1.0, model.parameter("b")[0], 1e-2);
  }
}
