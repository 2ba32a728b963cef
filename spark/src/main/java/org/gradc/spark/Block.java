package org.gradc.spark;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.gradc.runtime.data.Column;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.FloatColumn;
import org.gradc.runtime.data.IntColumn;

/**
 * The training rows of one partition for one epoch, in {@link Layout} order, packed into columns:
 * the cached unit of data. Tasks read it as a runtime {@link Dataset} (built once per JVM that
 * holds the block) with an identity order.
 */
final class Block implements Serializable {
  private static final long serialVersionUID = 1L;
  private final List<InputColumn> columns;
  private final Object[] data;
  private final int size;
  private transient Dataset dataset;
  private transient int[] identity;

  private Block(List<InputColumn> columns, Object[] data, int size) {
    this.columns = columns;
    this.data = data;
    this.size = size;
  }

  /** Packs rows (already sorted by position) into one block. */
  static Block pack(List<InputColumn> columns, List<PackedRow> rows) {
    Object[] data = new Object[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      InputColumn col = columns.get(c);
      int w = col.rowSize();
      if (col.ints()) {
        int[] a = new int[rows.size() * w];
        for (int r = 0; r < rows.size(); r++) {
          System.arraycopy((int[]) rows.get(r).values()[c], 0, a, r * w, w);
        }
        data[c] = a;
      } else {
        float[] a = new float[rows.size() * w];
        for (int r = 0; r < rows.size(); r++) {
          System.arraycopy((float[]) rows.get(r).values()[c], 0, a, r * w, w);
        }
        data[c] = a;
      }
    }
    return new Block(columns, data, rows.size());
  }

  static Block pack(List<InputColumn> columns, Iterator<PackedRow> rows) {
    List<PackedRow> list = new java.util.ArrayList<>();
    rows.forEachRemaining(list::add);
    return pack(columns, list);
  }

  int size() {
    return size;
  }

  synchronized Dataset dataset() {
    if (dataset == null) {
      Column[] cols = new Column[columns.size()];
      for (int c = 0; c < cols.length; c++) {
        InputColumn col = columns.get(c);
        cols[c] =
            col.ints()
                ? new IntColumn(col.name(), (int[]) data[c])
                : new FloatColumn(col.name(), col.rowShape(), (float[]) data[c]);
      }
      dataset = Dataset.of(cols);
    }
    return dataset;
  }

  synchronized int[] identity() {
    if (identity == null) {
      identity = new int[size];
      for (int i = 0; i < size; i++) {
        identity[i] = i;
      }
    }
    return identity;
  }
}
