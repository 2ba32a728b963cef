package org.gradc.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.gradc.runtime.Model;
import org.gradc.runtime.data.DataException;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.FloatColumn;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.LrSchedule;
import org.gradc.runtime.train.Metric;
import org.gradc.runtime.train.Trainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract: a Spark run over P partitions is bit-identical to {@code Trainer.dataParallel(P)}
 * on one machine (parameters, optimizer state and metrics), and a bad setup fails before any work.
 */
class SparkTrainerTest {
  private static SparkSession spark;
  private static TestData.Images images;

  @BeforeAll
  static void start() {
    spark = TestData.session("local[2]");
    // 257 rows in batches of 32: 8 full batches and one of a single row (one shard, the other
    // partition idle in that step)
    images = TestData.images(spark, 257, 12, 4, 1);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Model oracle(int threads, int batch, int epochs, Long shuffle, Dataset valid) {
    SmallMlp m = new SmallMlp();
    m.initialize(42);
    Trainer t =
        Trainer.of(m)
            .dataParallel(threads)
            .batchSize(batch)
            .epochs(epochs)
            .schedule(LrSchedule.cosine(0))
            .progress(org.gradc.runtime.train.Progress.NONE);
    if (shuffle != null) {
      t.shuffle(shuffle);
    }
    if (valid != null) {
      t.validate(valid);
    }
    History h = t.fit(images.local());
    lastOracleHistory = h;
    return m;
  }

  private static History lastOracleHistory;

  @Test
  void twoPartitionsEqualTwoThreadsBitForBit() {
    Dataset valid = images.local().slice(0, 50);
    Model expected = oracle(2, 32, 2, 7L, valid);
    History want = lastOracleHistory;

    SparkTrainer t =
        SparkTrainer.of(spark, SmallMlp.class)
            .seed(42)
            .globalBatch(32)
            .partitions(2)
            .epochs(2)
            .shuffle(7)
            .schedule(LrSchedule.cosine(0))
            .validate(images.frame().limit(50));
    History got = t.fit(images.frame());

    TestData.assertSameState(expected, t.model());
    assertEquals(2, got.size());
    for (int e = 1; e <= 2; e++) {
      for (Metric m :
          List.of(Metric.LOSS, Metric.ACCURACY, Metric.VAL_LOSS, Metric.VAL_ACCURACY, Metric.LR)) {
        assertEquals(want.epoch(e).get(m), got.epoch(e).get(m), "epoch " + e + " " + m.name());
      }
    }
    assertEquals(18, t.timings().steps());
    // the oracle is not trivially satisfied: one thread gives other bits
    Model serial = oracle(1, 32, 2, 7L, null);
    assertFalse(
        TestData.sameParams(serial, t.model()), "threads(1) should differ in the last bits");
  }

  @Test
  void fourPartitionsOnTwoSlotsEqualFourThreads() {
    Model expected = oracle(4, 32, 1, null, null);
    SparkTrainer t =
        SparkTrainer.of(spark, SmallMlp.class)
            .seed(42)
            .globalBatch(32)
            .partitions(4)
            .schedule(LrSchedule.cosine(0));
    t.fit(images.frame());
    TestData.assertSameState(expected, t.model());
  }

  /**
   * Train/eval modes: each partition draws its rows' dropout masks (seed, step, place in the batch)
   * and the shards' batch-norm running statistics are merged, as in {@code dataParallel(2)}.
   */
  @Test
  void dropoutAndBatchNormEqualTwoThreadsBitForBit() {
    // 256 rows in batches of 30: shards of 15, and a last batch of 16 (batch norm refuses one row)
    TestData.Images data = TestData.images(spark, 256, 12, 4, 2);
    SmallBnDropout expected = new SmallBnDropout();
    expected.initialize(9);
    History want =
        Trainer.of(expected)
            .dataParallel(2)
            .batchSize(30)
            .epochs(2)
            .shuffle(3)
            .validate(data.local().slice(0, 40))
            .progress(org.gradc.runtime.train.Progress.NONE)
            .fit(data.local());

    SparkTrainer t =
        SparkTrainer.of(spark, SmallBnDropout.class)
            .seed(9)
            .globalBatch(30)
            .partitions(2)
            .epochs(2)
            .shuffle(3)
            .validate(data.frame().limit(40));
    History got = t.fit(data.frame());

    // parameters, optimizer state and the running statistics mu1, var1
    TestData.assertSameState(expected, t.model());
    for (int e = 1; e <= 2; e++) {
      for (Metric m : List.of(Metric.LOSS, Metric.ACCURACY, Metric.VAL_LOSS, Metric.VAL_ACCURACY)) {
        assertEquals(want.epoch(e).get(m), got.epoch(e).get(m), "epoch " + e + " " + m.name());
      }
    }
  }

  /** A model compiled at run time from source, fed from an ML Vector column and a double column. */
  @Test
  void sourceModelWithVectorFeaturesEqualsThreads() throws Exception {
    String source =
        """
        model Regressor
        input  x: float[batch, 3]
        input  y: float[batch, 1]
        param  W: float[3, 8] = he_uniform
        param  b: float[8]    = zeros
        param  V: float[8, 1] = glorot_uniform
        pred = tanh(x @ W + b) @ V
        output pred
        loss   mse(pred, y)
        optimizer adam(lr = 0.01)
        """;
    Random r = new Random(3);
    int n = 90;
    float[] x = new float[n * 3];
    float[] y = new float[n];
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] v = new double[3];
      for (int j = 0; j < 3; j++) {
        x[i * 3 + j] = (float) r.nextGaussian();
        v[j] = x[i * 3 + j];
      }
      y[i] = (float) Math.sin(x[i * 3]);
      rows.add(RowFactory.create(Vectors.dense(v), (double) y[i]));
    }
    StructType schema =
        new StructType()
            .add("x", SQLDataTypes.VectorType(), false)
            .add("y", DataTypes.DoubleType, false);
    org.apache.spark.sql.Dataset<Row> frame = spark.createDataFrame(rows, schema);

    Model expected = org.gradc.compiler.Gradc.compile(source);
    expected.initialize(5);
    Trainer.of(expected)
        .dataParallel(2)
        .batchSize(10)
        .epochs(2)
        .shuffle(1)
        .progress(org.gradc.runtime.train.Progress.NONE)
        .fit(
            Dataset.of(
                new FloatColumn("x", new int[] {3}, x), new FloatColumn("y", new int[] {1}, y)));

    SparkTrainer t =
        SparkTrainer.of(spark, ModelSource.fromSource(source))
            .seed(5)
            .globalBatch(10)
            .epochs(2)
            .shuffle(1);
    History h = t.fit(frame);
    TestData.assertSameState(expected, t.model());
    assertTrue(h.epoch(2).get(Metric.LOSS) < h.epoch(1).get(Metric.LOSS), "it learns");
  }

  /** With one partition, a local-SGD round is h fused steps on the whole batch: one machine. */
  @Test
  void localSgdOnOnePartitionIsSerialTraining() {
    Model expected = oracle(1, 32, 1, 3L, null);
    SparkTrainer t =
        SparkTrainer.of(spark, SmallMlp.class)
            .seed(42)
            .globalBatch(32)
            .partitions(1)
            .shuffle(3)
            .schedule(LrSchedule.cosine(0))
            .localSteps(4);
    History h = t.fit(images.frame());
    TestData.assertSameState(expected, t.model());
    assertEquals(lastOracleHistoryLoss(1, 32, 3L), h.epoch(1).get(Metric.LOSS));
    assertEquals(3, t.timings().steps(), "9 steps in rounds of 4, 4 and 1");
  }

  private static double lastOracleHistoryLoss(int threads, int batch, Long shuffle) {
    oracle(threads, batch, 1, shuffle, null);
    return lastOracleHistory.epoch(1).get(Metric.LOSS);
  }

  @Test
  void localSgdOnTwoPartitionsRepeatsButIsNotSynchronous() {
    SparkTrainer a =
        SparkTrainer.of(spark, SmallMlp.class).seed(42).globalBatch(32).partitions(2).localSteps(3);
    SparkTrainer b =
        SparkTrainer.of(spark, SmallMlp.class).seed(42).globalBatch(32).partitions(2).localSteps(3);
    a.fit(images.frame());
    b.fit(images.frame());
    TestData.assertSameState(a.model(), b.model());
    Model sync = oracle(2, 32, 1, null, null);
    assertFalse(TestData.sameParams(sync, a.model()), "local SGD is another algorithm");
  }

  // ---- fast failure ----

  @Test
  void batchNotDivisibleByPartitions() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SparkTrainer.of(spark, SmallMlp.class)
                    .globalBatch(30)
                    .partitions(4)
                    .fit(images.frame()));
    assertEquals(
        "global batch 30 is not divisible by 4 partitions; use a multiple of 4 (e.g. 28 or 32) so"
            + " that every partition gets an equal shard",
        e.getMessage());
  }

  @Test
  void morePartitionsThanRows() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SparkTrainer.of(spark, SmallMlp.class)
                    .globalBatch(8)
                    .partitions(8)
                    .fit(images.frame().limit(5)));
    assertEquals(
        "more partitions (8) than training rows (5): every partition needs a shard of the first"
            + " batch",
        e.getMessage());
  }

  @Test
  void missingColumn() {
    var e =
        assertThrows(
            DataException.class,
            () ->
                SparkTrainer.of(spark, SmallMlp.class)
                    .globalBatch(8)
                    .fit(images.frame().withColumnRenamed("x", "pixels")));
    assertEquals(
        "training data has no column 'x' for model input 'x' [batch, 12]; it has [pixels, y]"
            + " (rename a column with withColumnRenamed)",
        e.getMessage());
  }

  @Test
  void mistypedColumn() {
    var e =
        assertThrows(
            DataException.class,
            () ->
                SparkTrainer.of(spark, SmallMlp.class)
                    .globalBatch(8)
                    .fit(images.frame().withColumn("y", functions.col("y").cast("string"))));
    assertEquals(
        "training data column 'y' has type string, but model input 'y' [batch] expects int labels"
            + " (an integral column, whole-number doubles, or array<int>)",
        e.getMessage());
  }

  @Test
  void wrongRowSizeOnTheFirstRow() {
    var e =
        assertThrows(
            DataException.class,
            () ->
                SparkTrainer.of(spark, SmallMlp.class)
                    .globalBatch(8)
                    .fit(
                        images
                            .frame()
                            .withColumn("x", functions.slice(functions.col("x"), 1, 11))));
    assertEquals(
        "training data row 0: column 'x' has 11 values, but the model expects 12", e.getMessage());
  }

  @Test
  void badLabelInALaterRowComesOutOfTheTaskAsIs() {
    // labels drawn below 5 for a 4-class model: some rows hold a 4
    TestData.Images bad = TestData.images(spark, 60, 12, 5, 2);
    var e =
        assertThrows(
            DataException.class,
            () -> SparkTrainer.of(spark, SmallMlp.class).globalBatch(8).fit(bad.frame()));
    assertTrue(
        e.getMessage()
            .matches("training data row \\d+: column 'y' expected a label in \\[0, 4\\), found 4"),
        e.getMessage());
  }

  @Test
  void speculationIsRefused() {
    SparkTrainer t = SparkTrainer.of(spark, SmallMlp.class);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                t.checkSetup(new org.apache.spark.SparkConf().set("spark.speculation", "true"), 2));
    assertTrue(e.getMessage().startsWith("spark.speculation is on"), e.getMessage());
  }
}
