package org.gradc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class InitializeTest {

  @Test
  void splitMix64MatchesTheReferenceSequence() {
    SplitMix64 r = new SplitMix64(0);
    assertEquals(0xe220a8397b1dcdafL, r.nextLong());
    assertEquals(0x6e789e6aa1b965f4L, r.nextLong());
    assertEquals(0x06c45d188009454fL, r.nextLong());
  }

  @Test
  void permutationIsAPermutationAndSeeded() {
    int[] p = SplitMix64.derive(7, 3).permutation(1000);
    int[] sorted = p.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < 1000; i++) {
      assertEquals(i, sorted[i]);
    }
    assertArrayEquals(p, SplitMix64.derive(7, 3).permutation(1000));
    assertFalse(Arrays.equals(p, SplitMix64.derive(7, 4).permutation(1000)));
  }

  /** Bits computed by an independent Python implementation of the documented procedure. */
  @Test
  void seedPinsExactBits() {
    HandModel m = HandModel.classifier(3, 2, OptimizerKind.ADAM, 0.01);
    m.initialize(42);
    int[] expected = {0x3f1d2060, 0xbf585bd8, 0x3eb7b1aa, 0x3f36f974, 0xbf7e1ff4, 0x3f6a2aa1};
    float[] w = m.parameter("W");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], Float.floatToRawIntBits(w[i]), "W[" + i + "]");
    }
    assertArrayEquals(new float[2], m.parameter("b"));
  }

  @Test
  void initializeResetsStateAndStep() {
    HandModel m = HandModel.classifier(3, 2, OptimizerKind.ADAM, 0.01);
    m.feed("x", new float[] {1, 2, 3});
    m.feed("y", new int[] {1});
    m.trainStep();
    m.trainStep();
    assertEquals(2, m.steps());
    assertTrue(nonZero((float[]) m.tensor(TensorKind.STATE, "W.m")));
    m.initialize(42);
    assertEquals(0, m.steps());
    assertFalse(nonZero((float[]) m.tensor(TensorKind.STATE, "W.m")));
    assertFalse(nonZero((float[]) m.tensor(TensorKind.STATE, "W.v")));
    HandModel fresh = HandModel.classifier(3, 2, OptimizerKind.ADAM, 0.01);
    fresh.initialize(42);
    assertArrayEquals(fresh.parameter("W"), m.parameter("W"));
  }

  private static boolean nonZero(float[] a) {
    for (float v : a) {
      if (v != 0) {
        return true;
      }
    }
    return false;
  }

  private static SpecModel everyInitializer(int rows, int cols) {
    List<TensorSpec> t = new ArrayList<>();
    Object[][] inits = {
      {Initializer.ZEROS, List.of()},
      {Initializer.ONES, List.of()},
      {Initializer.CONSTANT, List.of(0.5)},
      {Initializer.UNIFORM, List.of(-2.0, 3.0)},
      {Initializer.NORMAL, List.of(1.0, 0.5)},
      {Initializer.GLOROT_UNIFORM, List.of()},
      {Initializer.GLOROT_NORMAL, List.of()},
      {Initializer.HE_UNIFORM, List.of()},
      {Initializer.HE_NORMAL, List.of()},
    };
    for (Object[] i : inits) {
      Initializer k = (Initializer) i[0];
      @SuppressWarnings("unchecked")
      Init init = new Init(k, (List<Double>) i[1]);
      String name = k.displayName();
      t.add(
          new TensorSpec(name, TensorKind.PARAM, DType.F32, new int[] {rows, cols}, name, init, 0));
    }
    return new SpecModel(new ModelSpec("Inits", DType.F32, t, OptimizerKind.SGD, new double[4]));
  }

  @Test
  void everyInitializerHasItsDistribution() {
    int rows = 300;
    int cols = 200;
    SpecModel m = everyInitializer(rows, cols);
    m.initialize(1);
    assertStats(m.parameter("zeros"), 0, 0, 0, 0);
    assertStats(m.parameter("ones"), 1, 0, 1, 1);
    assertStats(m.parameter("constant"), 0.5, 0, 0.5, 0.5);
    assertStats(m.parameter("uniform"), 0.5, 5 / Math.sqrt(12), -2, 3);
    assertStats(m.parameter("normal"), 1, 0.5, -2, 4);
    double glorot = Math.sqrt(6.0 / (rows + cols));
    assertStats(m.parameter("glorot_uniform"), 0, glorot / Math.sqrt(3), -glorot, glorot);
    double glorotStd = Math.sqrt(2.0 / (rows + cols));
    assertStats(m.parameter("glorot_normal"), 0, glorotStd, -6 * glorotStd, 6 * glorotStd);
    double he = Math.sqrt(6.0 / rows);
    assertStats(m.parameter("he_uniform"), 0, he / Math.sqrt(3), -he, he);
    double heStd = Math.sqrt(2.0 / rows);
    assertStats(m.parameter("he_normal"), 0, heStd, -6 * heStd, 6 * heStd);
  }

  /** A convolution kernel's fans count its receptive field, as in Keras and PyTorch. */
  @Test
  void kernelFansUseTheReceptiveField() {
    assertArrayEquals(
        new long[] {3 * 3 * 16, 3 * 3 * 32}, Initializers.fans(new int[] {3, 3, 16, 32}));
    assertArrayEquals(new long[] {5 * 4, 5 * 7}, Initializers.fans(new int[] {5, 4, 7}));
    assertArrayEquals(new long[] {784, 256}, Initializers.fans(new int[] {784, 256}));
    assertArrayEquals(new long[] {1, 10}, Initializers.fans(new int[] {10}));
    assertArrayEquals(new long[] {1, 1}, Initializers.fans(new int[0]));
    List<TensorSpec> t = new ArrayList<>();
    t.add(
        new TensorSpec(
            "k",
            TensorKind.PARAM,
            DType.F32,
            new int[] {3, 3, 8, 40},
            "he_normal",
            new Init(Initializer.HE_NORMAL, List.of()),
            0));
    SpecModel m =
        new SpecModel(new ModelSpec("Conv", DType.F32, t, OptimizerKind.SGD, new double[4]));
    m.initialize(3);
    double std = Math.sqrt(2.0 / (3 * 3 * 8));
    assertStats(m.parameter("k"), 0, std, -6 * std, 6 * std);
  }

  private static void assertStats(float[] a, double mean, double std, double lo, double hi) {
    double s = 0;
    double s2 = 0;
    for (float v : a) {
      assertTrue(v >= lo && v <= hi, v + " outside [" + lo + ", " + hi + "]");
      s += v;
      s2 += (double) v * v;
    }
    double mu = s / a.length;
    double sd = Math.sqrt(Math.max(0, s2 / a.length - mu * mu));
    double tol = 0.02 * Math.max(std, 1e-9) + 1e-6;
    assertEquals(mean, mu, 5 * std / Math.sqrt(a.length) + 1e-6, "mean");
    assertEquals(std, sd, tol, "std");
  }

  @Test
  void parametersDrawFromIndependentStreams() {
    SpecModel m = everyInitializer(4, 3);
    m.initialize(9);
    float[] glorot = m.parameter("glorot_uniform").clone();
    m.initialize(9);
    assertArrayEquals(glorot, m.parameter("glorot_uniform"));
    m.initialize(10);
    assertFalse(Arrays.equals(glorot, m.parameter("glorot_uniform")));
  }

  @Test
  void copyIsIndependentAndEqual() {
    HandModel m = HandModel.classifier(3, 2, OptimizerKind.ADAM, 0.01);
    m.initialize(5);
    m.feed("x", new float[] {1, 2, 3, 4, 5, 6});
    m.feed("y", new int[] {1, 0});
    m.trainStep();
    m.hyperParameter("lr", 0.5);
    Model c = m.copy();
    assertNotSame(m.parameter("W"), c.parameter("W"));
    assertArrayEquals(m.parameter("W"), c.parameter("W"));
    assertArrayEquals(
        (float[]) m.tensor(TensorKind.STATE, "W.v"), (float[]) c.tensor(TensorKind.STATE, "W.v"));
    assertEquals(1, c.steps());
    assertEquals(0.5, c.hyperParameter("lr"));
    c.parameter("W")[0] = 99f;
    c.hyperParameter("lr", 0.1);
    assertTrue(m.parameter("W")[0] != 99f);
    assertEquals(0.5, m.hyperParameter("lr"));
    // both continue identically from the same state
    c.parameter("W")[0] = m.parameter("W")[0];
    c.hyperParameter("lr", 0.5);
    m.trainStep();
    c.feed("x", new float[] {1, 2, 3, 4, 5, 6});
    c.feed("y", new int[] {1, 0});
    c.trainStep();
    assertArrayEquals(m.parameter("W"), c.parameter("W"));
  }
}
