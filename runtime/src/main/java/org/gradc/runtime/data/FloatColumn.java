package org.gradc.runtime.data;

/**
 * Float features: row {@code r} is {@code data[r*rowSize .. (r+1)*rowSize)}, row-major in {@code
 * rowShape}.
 */
public record FloatColumn(String name, int[] rowShape, float[] data) implements Column {
  public FloatColumn {
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

  @Override
  public int[] rowShape() {
    return rowShape.clone();
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
  public int rows() {
    return data.length / rowSize();
  }

  @Override
  public FloatColumn named(String name) {
    return new FloatColumn(name, rowShape, data);
  }

  @Override
  public FloatColumn gather(int[] order, int from, int to) {
    float[] out = new float[(to - from) * rowSize()];
    gather(order, from, to, out);
    return new FloatColumn(name, rowShape, out);
  }

  /** Copies rows {@code order[from..to)} into the front of {@code dst}. */
  public void gather(int[] order, int from, int to, float[] dst) {
    int row = rowSize();
    for (int i = from; i < to; i++) {
      System.arraycopy(data, order[i] * row, dst, (i - from) * row, row);
    }
  }
}
