package org.gradc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.gradc.runtime.Model;
import org.junit.jupiter.api.Test;

/**
 * The benchmarked FashionMlp trains the same with both back ends (the benchmark measures real
 * work).
 */
class TrainStepBenchTest {

  @Test
  void vectorAndScalarBackEndsTakeTheSameSteps() throws Exception {
    TrainStepBench b = new TrainStepBench();
    b.code = "vector";
    b.setup();
    Model vector = b.model;
    b.code = "scalar";
    b.setup();
    Model scalar = b.model;
    for (int step = 0; step < 3; step++) {
      assertEquals(scalar.trainStep(), vector.trainStep(), 1e-5);
    }
    float[] w = scalar.parameter("W1");
    float[] v = vector.parameter("W1");
    assertArrayEquals(w, v, 1e-5f);
  }
}
