package org.gradc.spark;

import org.apache.spark.Partitioner;

/** Sends the row at position {@code pos} (a {@code Long} key) to {@link Layout#partitionOf}. */
final class ShardPartitioner extends Partitioner {
  private static final long serialVersionUID = 1L;
  private final Layout layout;

  ShardPartitioner(Layout layout) {
    this.layout = layout;
  }

  @Override
  public int numPartitions() {
    return layout.partitions();
  }

  @Override
  public int getPartition(Object key) {
    return layout.partitionOf((Long) key);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShardPartitioner s && s.layout.equals(layout);
  }

  @Override
  public int hashCode() {
    return layout.hashCode();
  }
}
