package org.gradc.benchmarks.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vector kernels agree with the plain loops, including batch sizes that leave a remainder. */
class HandKernelsTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 8, 13, 64})
  void vectorKernelsMatchScalarLoops(int m) {
    SplittableRandom r = new SplittableRandom(m);
    float[] x = MatmulBench.random(r, m * HandKernels.IN);
    float[] w1 = MatmulBench.random(r, HandKernels.IN * HandKernels.HID);
    float[] b1 = MatmulBench.random(r, HandKernels.HID);
    float[] h = MatmulBench.random(r, m * HandKernels.HID);
    float[] w2 = MatmulBench.random(r, HandKernels.HID * HandKernels.OUT);
    float[] b2 = MatmulBench.random(r, HandKernels.OUT);
    float[] e = MatmulBench.random(r, m * HandKernels.OUT);
    float[] eh = MatmulBench.random(r, m * HandKernels.HID);

    float[] want = new float[m * HandKernels.HID];
    float[] got = new float[m * HandKernels.HID];
    HandKernels.fwd1Scalar(x, w1, b1, want, m);
    HandKernels.fwd1Vector(x, w1, b1, got, m);
    assertClose(want, got, "fwd1Vector");

    want = new float[m * HandKernels.OUT];
    HandKernels.fwd2Scalar(h, w2, b2, want, m);
    got = new float[m * HandKernels.OUT];
    HandKernels.fwd2Masked(h, w2, b2, got, m);
    assertClose(want, got, "fwd2Masked");
    got = new float[m * HandKernels.OUT];
    HandKernels.fwd2Split(h, w2, b2, got, m);
    assertClose(want, got, "fwd2Split");
    got = new float[m * HandKernels.OUT];
    HandKernels.fwd2Dot(h, w2, new float[w2.length], b2, got, m);
    assertClose(want, got, "fwd2Dot");

    want = new float[m * HandKernels.HID];
    HandKernels.bwdInScalar(e, w2, want, m);
    got = new float[m * HandKernels.HID];
    HandKernels.bwdInPacked(e, w2, new float[w2.length], got, m);
    assertClose(want, got, "bwdInPacked");
    got = new float[m * HandKernels.HID];
    HandKernels.bwdInDot(e, w2, got, m);
    assertClose(want, got, "bwdInDot");

    want = new float[HandKernels.IN * HandKernels.HID];
    HandKernels.gradW1Scalar(x, eh, want, m);
    got = new float[want.length];
    HandKernels.gradW1Vector(x, eh, got, m);
    assertClose(want, got, "gradW1Vector");

    want = new float[HandKernels.HID * HandKernels.OUT];
    HandKernels.gradW2Scalar(h, e, want, m);
    got = new float[want.length];
    HandKernels.gradW2Masked(h, e, got, m);
    assertClose(want, got, "gradW2Masked");
  }

  static void assertClose(float[] want, float[] got, String what) {
    for (int i = 0; i < want.length; i++) {
      double tol = 1e-4 * Math.max(1, Math.abs(want[i]));
      assertTrue(
          Math.abs(want[i] - got[i]) <= tol,
          what + "[" + i + "]: want " + want[i] + ", got " + got[i]);
    }
  }
}
