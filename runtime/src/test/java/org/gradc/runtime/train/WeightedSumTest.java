package org.gradc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The shard sum that Trainer.threads and gradc-spark share. */
class WeightedSumTest {
  @Test
  void twoShardsTakeTheFlatLoopWithTheSameArithmeticAsTheGeneralOne() {
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
      double s = 0;
      s += (5.0 / 11) * a[i];
      s += (6.0 / 11) * b[i];
      assertEquals((float) s, out[i], "element " + i);
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
}
