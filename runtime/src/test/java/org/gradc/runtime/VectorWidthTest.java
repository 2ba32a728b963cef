package org.gradc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The choice of kernel width a portable model class makes when it loads. */
class VectorWidthTest {
  private static final int[] ALL = {128, 256, 512};

  @AfterEach
  void clear() {
    System.clearProperty(VectorWidth.PROPERTY);
  }

  @Test
  void picksTheWidestNotAboveTheLimit() {
    assertEquals(512, VectorWidth.pick(ALL, 512));
    assertEquals(512, VectorWidth.pick(ALL, 2048)); // SVE wider than any variant
    assertEquals(256, VectorWidth.pick(ALL, 256));
    assertEquals(256, VectorWidth.pick(ALL, 300));
    assertEquals(128, VectorWidth.pick(ALL, 128));
    assertEquals(0, VectorWidth.pick(ALL, 64));
    assertEquals(0, VectorWidth.pick(ALL, 0));
    assertEquals(128, VectorWidth.pick(new int[] {128}, 512)); // a class with fewer variants
    assertEquals(0, VectorWidth.pick(new int[] {}, 512));
  }

  @Test
  void followsThePreferredWidthUnlessForced() {
    // surefire runs the tests with --add-modules jdk.incubator.vector
    assertTrue(VectorWidth.available());
    Module vector = ModuleLayer.boot().findModule(VectorWidth.MODULE).orElseThrow();
    getClass().getModule().addReads(vector); // as `requires static` would, if tests are modular
    int preferred = VectorWidth.preferredBits();
    assertTrue(preferred >= 64, "preferred " + preferred);
    assertEquals(VectorWidth.pick(ALL, preferred), VectorWidth.choose(getClass(), ALL));
    System.setProperty(VectorWidth.PROPERTY, "0");
    assertEquals(0, VectorWidth.choose(getClass(), ALL));
    System.setProperty(VectorWidth.PROPERTY, "256");
    assertEquals(256, VectorWidth.choose(getClass(), ALL));
    System.setProperty(VectorWidth.PROPERTY, "wide");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> VectorWidth.choose(getClass(), ALL));
    assertEquals(
        "-Dgradc.vectorBits must be a number of bits (0, 128, 256, 512), but is wide",
        e.getMessage());
  }

  @Test
  void aModuleThatDoesNotReadTheVectorApiGetsScalarKernels() {
    // java.base stands for an application module without `requires static jdk.incubator.vector`:
    // its vector kernels could not link
    assertEquals(0, VectorWidth.choose(Object.class, ALL));
  }
}
