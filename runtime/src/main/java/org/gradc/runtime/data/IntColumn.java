package org.gradc.runtime.data;

/**
 * Integers, a row of {@code rowShape} per example, row-major: class labels (one per row, {@code
 * rowShape} empty) or sequences of ids such as the bytes of a line of text.
 */
public record IntColumn(String name, int[] rowShape, int[] data) implements Column {
  public IntColumn {
    rowShape = rowShape.clone();
    int size = 1;
    for (int e : rowShape) {
      if (e <= 0) {
        throw new IllegalArgumentException("column '" + name + "': bad row shape");
      }
      size *= e;
    }
    if (data.length % size != 0) {
      throw new IllegalArgumentException(
          "column '"
              + name
              + "': "
              + data.length
              + " values are not a whole number of rows of "
              + size);
    }
  }

  /** One label per row. */
  public IntColumn(String name, int[] data) {
    this(name, new int[0], data);
  }

  @Override
  public int rows() {
    return data.length / rowSize();
  }

  @Override
  public int rowSize() {
    int size = 1;
    for (int e : rowShape) {
      size *= e;
    }
    return size;
  }

  @Override
  public int[] rowShape() {
    return rowShape.clone();
  }

  @Override
  public IntColumn named(String name) {
    return new IntColumn(name, rowShape, data);
  }

  @Override
  public IntColumn gather(int[] order, int from, int to) {
    int[] out = new int[(to - from) * rowSize()];
    gather(order, from, to, out);
    return new IntColumn(name, rowShape, out);
  }

  /** Copies rows {@code order[from..to)} into the front of {@code dst}. */
  public void gather(int[] order, int from, int to, int[] dst) {
    int row = rowSize();
    for (int i = from; i < to; i++) {
      System.arraycopy(data, order[i] * row, dst, (i - from) * row, row);
    }
  }

  /** One more than the largest value (0 when empty). */
  public int classes() {
    int max = -1;
    for (int v : data) {
      max = Math.max(max, v);
    }
    return max + 1;
  }
}
