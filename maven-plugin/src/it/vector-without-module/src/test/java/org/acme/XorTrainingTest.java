package org.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class XorTrainingTest {
  @Test
  void withoutTheVectorModuleTheScalarKernelsTrain() throws Exception {
    assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty());
    double[] loss = XorTraining.train(500);
    var bits = Xor.class.getDeclaredField("VECTOR_BITS");
    bits.setAccessible(true);
    assertEquals(0, bits.getInt(null));
    System.out.println("xor runs kernels of " + bits.getInt(null) + " bits");
    assertTrue(loss[1] < 0.05 && loss[1] < loss[0] / 4, "loss " + loss[0] + " -> " + loss[1]);
  }
}
