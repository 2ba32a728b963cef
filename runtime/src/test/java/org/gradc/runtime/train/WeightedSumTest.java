package org.gradc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The shard sum that Trainer.dataParallel and gradc-spark share. */
class WeightedSumTest {
  @Test
  void twoShardsSumInTheArraysPrecisionInShardOrder() {
    Random r = new Random(1);
    float[] a = new float[1000];
    float[] b = new float[1000];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
      b[i] = (float) r.nextGaussian() * 1e-3f;
    }
    float[] out = new float[a.length];
    DataParallel.weightedSum(
        List.of(out), List.of(List.<Object>of(a), List.<Object>of(b)), new int[] {5, 6}, 11);
    for (int i = 0; i < a.length; i++) {
      float s = (float) (5.0 / 11) * a[i];
      s += (float) (6.0 / 11) * b[i];
      assertEquals(Float.floatToRawIntBits(s), Float.floatToRawIntBits(out[i]), "element " + i);
    }
  }

  @Test
  void threeShardsOfDoublesInShardOrder() {
    double[] out = new double[1];
    List<List<Object>> in = new ArrayList<>();
    in.add(List.of(new double[] {1e16}));
    in.add(List.of(new double[] {1.0}));
    in.add(List.of(new double[] {-1e16}));
    DataParallel.weightedSum(List.of(out), in, new int[] {1, 1, 1}, 1);
    // (1e16 + 1) rounds to 1e16, so in this order the 1 is lost: the order is observable
    assertEquals(0.0, out[0]);
  }

  @Test
  void oneShardOfTheWholeBatchIsCopiedKeepingNegativeZero() {
    float[] g = {-0.0f, 1.5f, -2f};
    float[] out = new float[3];
    DataParallel.weightedSum(List.of(out), List.of(List.<Object>of(g)), new int[] {4}, 4);
    assertArrayEquals(g, out);
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(out[0]));
  }

  @Test
  void shardBoundsAreThoseOfThreads() {
    assertEquals(2, DataParallel.shards(2, 4));
    assertEquals(0, DataParallel.bound(0, 10, 3));
    assertEquals(3, DataParallel.bound(1, 10, 3));
    assertEquals(6, DataParallel.bound(2, 10, 3));
    assertEquals(10, DataParallel.bound(3, 10, 3));
  }

  /**
   * Part ranges run on different threads must give the one-thread sum's bits: every slice count,
   * over tensors whose lengths do not divide into the parts, floats and doubles, 2 and 3 shards.
   */
  @Test
  void slicesTogetherGiveTheWholeSumBitForBit() {
    Random r = new Random(7);
    // 70000 > UPDATE_PARTS: parts of more than one element
    int[] lengths = {1, 37, 1000, 3, 70_000};
    for (int k : new int[] {2, 3}) {
      for (boolean doubles : new boolean[] {false, true}) {
        List<List<Object>> in = new ArrayList<>();
        for (int i = 0; i < k; i++) {
          List<Object> shard = new ArrayList<>();
          for (int len : lengths) {
            shard.add(doubles ? randomDoubles(r, len) : randomFloats(r, len));
          }
          in.add(shard);
        }
        int[] rows = k == 2 ? new int[] {32, 31} : new int[] {21, 21, 21};
        int n = 63;
        List<Object> whole = fresh(lengths, doubles);
        DataParallel.weightedSum(whole, in, rows, n);
        for (int slices = 1; slices <= 5; slices++) {
          List<Object> sliced = fresh(lengths, doubles);
          for (int s = slices - 1; s >= 0; s--) {
            DataParallel.weightedSum(
                sliced,
                in,
                rows,
                n,
                s * org.gradc.runtime.Model.UPDATE_PARTS / slices,
                (s + 1) * org.gradc.runtime.Model.UPDATE_PARTS / slices);
          }
          for (int p = 0; p < lengths.length; p++) {
            if (doubles) {
              assertArrayEquals((double[]) whole.get(p), (double[]) sliced.get(p));
            } else {
              assertArrayEquals((float[]) whole.get(p), (float[]) sliced.get(p));
            }
          }
        }
      }
    }
  }

  private static List<Object> fresh(int[] lengths, boolean doubles) {
    List<Object> out = new ArrayList<>();
    for (int len : lengths) {
      // NaN everywhere: an element no slice writes fails the comparison
      if (doubles) {
        double[] a = new double[len];
        java.util.Arrays.fill(a, Double.NaN);
        out.add(a);
      } else {
        float[] a = new float[len];
        java.util.Arrays.fill(a, Float.NaN);
        out.add(a);
      }
    }
    return out;
  }

  private static float[] randomFloats(Random r, int len) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) {
      a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
    }
    return a;
  }

  private static double[] randomDoubles(Random r, int len) {
    double[] a = new double[len];
    for (int i = 0; i < len; i++) {
      a[i] = r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4);
    }
    return a;
  }
}
