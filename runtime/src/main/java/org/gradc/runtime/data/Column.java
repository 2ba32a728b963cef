package org.gradc.runtime.data;

/**
 * One named column of a {@link Dataset}: a value per row, each row a fixed-shape block. Columns
 * share their arrays with the datasets derived from them without copying, so callers must not
 * change an array after handing it over.
 */
public sealed interface Column permits FloatColumn, IntColumn {
  String name();

  /** Number of rows. */
  int rows();

  /** Elements per row. */
  int rowSize();

  /** The same data under another name. */
  Column named(String name);

  /** The rows {@code order[from..to)}, as a new column. */
  Column gather(int[] order, int from, int to);

  /** {@code [28, 28]}, or {@code []} for a scalar per row. */
  int[] rowShape();

  static String shapeString(int[] shape) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      s.append(i > 0 ? ", " : "").append(shape[i]);
    }
    return s.append(']').toString();
  }
}
