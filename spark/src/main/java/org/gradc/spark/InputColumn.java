package org.gradc.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;
import org.gradc.runtime.DType;
import org.gradc.runtime.ModelSpec;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.gradc.runtime.data.DataException;

/**
 * How one model input is read from a DataFrame column: the column of the same name, holding per row
 * a scalar, an array, or (float inputs) a Spark ML {@code Vector}, with the input's row size. Float
 * inputs accept any numeric elements (rounded to float); int inputs (labels) accept integral
 * columns, and float or double columns whose values are whole numbers (Spark ML's labels are
 * doubles). {@link #forSchema} checks names and types before any work; {@link #read} checks each
 * row's size, nulls and label range.
 *
 * @param name the model input and the column
 * @param ints whether the input takes int labels
 * @param rowShape the input's shape without the batch axis
 * @param rowSize elements per row
 * @param classes the label bound (0: unbounded)
 * @param shape how the column holds a row
 */
record InputColumn(String name, boolean ints, int[] rowShape, int rowSize, int classes, Shape shape)
    implements Serializable {

  private static final String VECTOR = "org.apache.spark.ml.linalg.Vector";

  /** How a column holds one row. */
  enum Shape {
    SCALAR,
    ARRAY,
    VECTOR
  }

  /**
   * The columns feeding every input of {@code spec}, checked against {@code schema}.
   *
   * @throws DataException naming the first missing or mistyped column
   */
  static List<InputColumn> forSchema(ModelSpec spec, StructType schema, String role) {
    List<InputColumn> out = new ArrayList<>();
    for (TensorSpec in : spec.ofKind(TensorKind.INPUT)) {
      if (!in.batched()) {
        throw new DataException(
            "model input '"
                + in.name()
                + "' "
                + in.shapeString()
                + " has no batch dimension, so it cannot be fed from a DataFrame");
      }
      if (!Arrays.asList(schema.fieldNames()).contains(in.name())) {
        throw new DataException(
            role
                + " has no column '"
                + in.name()
                + "' for model input '"
                + in.name()
                + "' "
                + in.shapeString()
                + "; it has "
                + Arrays.toString(schema.fieldNames())
                + " (rename a column with withColumnRenamed)");
      }
      StructField f = schema.apply(in.name());
      boolean ints = in.dtype() == DType.I32;
      Shape shape = shapeOf(f.dataType(), ints);
      if (shape == null) {
        throw new DataException(
            role
                + " column '"
                + in.name()
                + "' has type "
                + f.dataType().simpleString()
                + ", but model input '"
                + in.name()
                + "' "
                + in.shapeString()
                + " expects "
                + (ints
                    ? "int labels (an integral column, whole-number doubles, or array<int>)"
                    : "floats (a numeric column, an array of numbers, or an ML Vector)"));
      }
      if (shape == Shape.SCALAR && in.rowSize() != 1) {
        throw new DataException(
            role
                + " column '"
                + in.name()
                + "' holds one number per row, but model input '"
                + in.name()
                + "' "
                + in.shapeString()
                + " expects "
                + in.rowSize()
                + " values per row (an array or an ML Vector column)");
      }
      if (ints && in.rowSize() != 1) {
        throw new DataException(
            "model input '"
                + in.name()
                + "' "
                + in.shapeString()
                + " takes several labels per row, which training from a DataFrame does not support");
      }
      int[] s = in.shape();
      out.add(
          new InputColumn(
              in.name(),
              ints,
              Arrays.copyOfRange(s, 1, s.length),
              in.rowSize(),
              in.classes(),
              shape));
    }
    return out;
  }

  private static Shape shapeOf(DataType t, boolean ints) {
    if (t instanceof ArrayType a) {
      return ints
          ? (integral(a.elementType()) ? Shape.ARRAY : null)
          : (numeric(a.elementType()) ? Shape.ARRAY : null);
    }
    if (!ints && t instanceof UserDefinedType<?> u && VECTOR.equals(u.userClass().getName())) {
      return Shape.VECTOR;
    }
    return numeric(t) ? Shape.SCALAR : null;
  }

  private static boolean integral(DataType t) {
    return t instanceof IntegerType
        || t instanceof LongType
        || t instanceof ShortType
        || t instanceof ByteType;
  }

  private static boolean numeric(DataType t) {
    return integral(t) || t instanceof FloatType || t instanceof DoubleType;
  }

  /**
   * This column's values in {@code row} (field {@code field}): a {@code float[]} or {@code int[]}
   * of {@link #rowSize} elements.
   *
   * @param index the row's stable index, for messages
   * @throws DataException for a null, a wrong size, a fractional or out-of-range label
   */
  Object read(Row row, int field, long index) {
    if (row.isNullAt(field)) {
      throw bad(index, "is null");
    }
    Object v = row.get(field);
    double[] values =
        switch (shape) {
          case SCALAR -> new double[] {((Number) v).doubleValue()};
          case VECTOR -> ((org.apache.spark.ml.linalg.Vector) v).toArray();
          case ARRAY -> {
            List<Object> list = row.getList(field);
            double[] d = new double[list.size()];
            for (int i = 0; i < d.length; i++) {
              Object e = list.get(i);
              if (e == null) {
                throw bad(index, "has a null at element " + i);
              }
              d[i] = ((Number) e).doubleValue();
            }
            yield d;
          }
        };
    if (values.length != rowSize) {
      throw bad(index, "has " + values.length + " values, but the model expects " + rowSize);
    }
    if (!ints) {
      float[] f = new float[rowSize];
      for (int i = 0; i < rowSize; i++) {
        f[i] = (float) values[i];
      }
      return f;
    }
    int[] out = new int[rowSize];
    for (int i = 0; i < rowSize; i++) {
      double d = values[i];
      if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
        throw bad(index, "holds " + d + ", not a whole-number label");
      }
      out[i] = (int) d;
      if (out[i] < 0 || (classes > 0 && out[i] >= classes)) {
        throw bad(index, ": expected a label in [0, " + classes + "), found " + out[i]);
      }
    }
    return out;
  }

  private DataException bad(long index, String what) {
    return new DataException(
        "training data row " + index + ": column '" + name + "' " + what.replaceFirst("^: ", ""));
  }
}
