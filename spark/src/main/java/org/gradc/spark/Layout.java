package org.gradc.spark;

import java.io.Serializable;
import org.gradc.runtime.train.DataParallel;

/**
 * Which partition holds which rows, so that a step's shards are exactly those of {@code
 * Trainer.dataParallel(P)}: an epoch visits the rows in an order (the identity, or the trainer's
 * shuffle); position {@code pos} of that order falls in batch {@code t = pos / batch} at offset
 * {@code j = pos % batch}, and batch {@code t} of {@code n} rows is split into {@code k = min(P,
 * n)} contiguous shards by {@link DataParallel#bound}. Partition {@code p} holds the rows of shard
 * {@code p} of every batch, sorted by position, so its rows for step {@code t} are one contiguous
 * run starting at {@link #offset}. Every partition's content is a function of the row index and the
 * epoch order only; nothing depends on how Spark scheduled anything.
 *
 * @param rows rows in the training set
 * @param batch the global batch size
 * @param partitions P
 */
record Layout(int rows, int batch, int partitions) implements Serializable {
  Layout {
    if (rows <= 0 || batch <= 0 || partitions <= 0) {
      throw new IllegalArgumentException(
          "rows, batch and partitions must be positive: "
              + rows
              + ", "
              + batch
              + ", "
              + partitions);
    }
  }

  /** Steps per epoch (a final partial batch counts). */
  int steps() {
    return (rows + batch - 1) / batch;
  }

  /** Rows in batch {@code t}. */
  int batchRows(int t) {
    return Math.min(batch, rows - t * batch);
  }

  /** The partition holding position {@code pos} of the epoch's order. */
  int partitionOf(long pos) {
    int t = (int) (pos / batch);
    int j = (int) (pos % batch);
    int n = batchRows(t);
    int k = DataParallel.shards(n, partitions);
    // the largest p with bound(p, n, k) = floor(p n / k) <= j
    return (int) (((long) (j + 1) * k - 1) / n);
  }

  /** Rows partition {@code p} contributes to step {@code t} (0 when the batch has fewer shards). */
  int shardRows(int t, int p) {
    int n = batchRows(t);
    int k = DataParallel.shards(n, partitions);
    return p < k ? DataParallel.bound(p + 1, n, k) - DataParallel.bound(p, n, k) : 0;
  }

  /** Where partition {@code p}'s rows of step {@code t} start in the partition. */
  int offset(int t, int p) {
    // every batch before t is full, so each contributed the same shard
    return t == 0 ? 0 : t * shardRows(0, p);
  }
}
