package org.gradc.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.gradc.runtime.train.DataParallel;
import org.junit.jupiter.api.Test;

/** The layout puts position pos exactly where Trainer.dataParallel(P)'s shard split puts it. */
class LayoutTest {
  @Test
  void everyPositionIsInTheShardOfThreadsP() {
    for (int rows : new int[] {1, 2, 7, 32, 33, 65, 100, 257}) {
      for (int batch : new int[] {1, 2, 4, 6, 8, 32, 64}) {
        for (int p : new int[] {1, 2, 3, 4}) {
          if (rows < p) {
            continue;
          }
          Layout l = new Layout(rows, batch, p);
          int[] next = new int[p]; // rows placed so far per partition, in position order
          for (int t = 0; t < l.steps(); t++) {
            int n = l.batchRows(t);
            int k = DataParallel.shards(n, p);
            for (int s = 0; s < p; s++) {
              assertEquals(next[s], l.offset(t, s), "offset " + l + " t=" + t + " p=" + s);
              int want = s < k ? DataParallel.bound(s + 1, n, k) - DataParallel.bound(s, n, k) : 0;
              assertEquals(want, l.shardRows(t, s), "rows " + l + " t=" + t + " p=" + s);
            }
            for (int j = 0; j < n; j++) {
              int shard = -1;
              for (int s = 0; s < k; s++) {
                if (DataParallel.bound(s, n, k) <= j && j < DataParallel.bound(s + 1, n, k)) {
                  shard = s;
                }
              }
              assertEquals(
                  shard, l.partitionOf((long) t * batch + j), l + " pos " + (t * batch + j));
              next[shard]++;
            }
          }
        }
      }
    }
  }
}
