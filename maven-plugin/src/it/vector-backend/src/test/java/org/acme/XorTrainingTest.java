package org.acme;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradc.runtime.Model;
import org.junit.jupiter.api.Test;

class XorTrainingTest {
  @Test
  void generatedClassIsAModelAndLearnsXor() throws Exception {
    assertTrue(Model.class.isAssignableFrom(Xor.class));
    var bits = Xor.class.getDeclaredField("VECTOR_BITS");
    bits.setAccessible(true);
    System.out.println("xor runs kernels of " + bits.getInt(null) + " bits");
    double[] loss = XorTraining.train(500);
    System.out.println("xor loss " + loss[0] + " -> " + loss[1]);
    assertTrue(loss[1] < 0.05 && loss[1] < loss[0] / 4, "loss " + loss[0] + " -> " + loss[1]);
  }
}
