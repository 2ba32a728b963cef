package org.gradc.runtime.data;

/** Integer labels, one per row (class indices for classification). */
public record IntColumn(String name, int[] data) implements Column {
  @Override
  public int rows() {
    return data.length;
  }

  @Override
  public int rowSize() {
    return 1;
  }

  @Override
  public int[] rowShape() {
    return new int[0];
  }

  @Override
  public IntColumn named(String name) {
    return new IntColumn(name, data);
  }

  @Override
  public IntColumn gather(int[] order, int from, int to) {
    int[] out = new int[to - from];
    gather(order, from, to, out);
    return new IntColumn(name, out);
  }

  /** Copies rows {@code order[from..to)} into the front of {@code dst}. */
  public void gather(int[] order, int from, int to, int[] dst) {
    for (int i = from; i < to; i++) {
      dst[i - from] = data[order[i]];
    }
  }

  /** One more than the largest label (0 when empty). */
  public int classes() {
    int max = -1;
    for (int v : data) {
      max = Math.max(max, v);
    }
    return max + 1;
  }
}
