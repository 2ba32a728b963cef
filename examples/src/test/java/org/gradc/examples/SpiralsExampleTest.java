package org.gradc.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpiralsExampleTest {
  @Test
  void separatesTheSpirals() {
    SpiralsExample.Result r = SpiralsExample.train(60, 3);
    assertTrue(r.validationAccuracy() > 0.95, "validation accuracy " + r.validationAccuracy());

    // The picture, drawn through the typed API in one batch, is what the string API predicts
    // point by point.
    int size = 8;
    StringBuilder want = new StringBuilder();
    for (int row = 0; row < size; row++) {
      for (int col = 0; col < 2 * size; col++) {
        float px = -1f + 2f * (col + 0.5f) / (2 * size);
        float py = 1f - 2f * (row + 0.5f) / size;
        float[] p = r.model().predict("x", new float[] {px, py});
        want.append(p[1] > p[0] ? '#' : '.');
      }
      want.append('\n');
    }
    String got = SpiralsExample.picture(r.model(), size);
    assertEquals(want.toString(), got);
    assertTrue(got.contains("#") && got.contains("."), got);
  }
}
