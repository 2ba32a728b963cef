package org.gradc.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.FloatColumn;
import org.gradc.runtime.data.IntColumn;
import org.gradc.runtime.train.DataParallel;
import org.junit.jupiter.api.Assertions;

/** Sessions, synthetic data (the same rows as a DataFrame and as a runtime dataset), and checks. */
final class TestData {
  private TestData() {}

  static SparkSession session(String master) {
    return SparkSession.builder()
        .master(master)
        .appName("gradc-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "localhost")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.speculation", "false")
        .getOrCreate();
  }

  /** {@code rows} random images of {@code width} pixels with labels below {@code classes}. */
  record Images(Dataset local, org.apache.spark.sql.Dataset<Row> frame) {}

  static Images images(SparkSession spark, int rows, int width, int classes, long seed) {
    Random r = new Random(seed);
    float[] x = new float[rows * width];
    int[] y = new int[rows];
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      List<Float> row = new ArrayList<>(width);
      for (int j = 0; j < width; j++) {
        x[i * width + j] = r.nextFloat();
        row.add(x[i * width + j]);
      }
      y[i] = r.nextInt(classes);
      list.add(RowFactory.create(row, y[i]));
    }
    StructType schema =
        new StructType()
            .add("x", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("y", DataTypes.IntegerType, false);
    // a local relation keeps the list's order, so zipWithIndex gives row i index i
    return new Images(
        Dataset.of(new FloatColumn("x", new int[] {width}, x), new IntColumn("y", y)),
        spark.createDataFrame(list, schema));
  }

  /** Parameters, optimizer state and step count are equal bit for bit. */
  static void assertSameState(Model expected, Model actual) {
    Assertions.assertEquals(expected.steps(), actual.steps(), "steps");
    for (TensorKind kind : new TensorKind[] {TensorKind.PARAM, TensorKind.STATE}) {
      List<Object> e = DataParallel.arrays(expected, kind);
      List<Object> a = DataParallel.arrays(actual, kind);
      Assertions.assertEquals(e.size(), a.size());
      for (int i = 0; i < e.size(); i++) {
        String what = kind + " " + expected.spec().ofKind(kind).get(i).name();
        if (e.get(i) instanceof float[] f) {
          Assertions.assertArrayEquals(f, (float[]) a.get(i), what);
        } else {
          Assertions.assertArrayEquals((double[]) e.get(i), (double[]) a.get(i), what);
        }
      }
    }
  }

  /** Some parameter differs (to show a test can tell runs apart). */
  static boolean sameParams(Model a, Model b) {
    List<Object> x = DataParallel.arrays(a, TensorKind.PARAM);
    List<Object> y = DataParallel.arrays(b, TensorKind.PARAM);
    for (int i = 0; i < x.size(); i++) {
      if (!java.util.Arrays.equals((float[]) x.get(i), (float[]) y.get(i))) {
        return false;
      }
    }
    return true;
  }
}
