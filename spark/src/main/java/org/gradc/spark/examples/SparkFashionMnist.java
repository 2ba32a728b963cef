package org.gradc.spark.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.gradc.examples.FashionMlp;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.Datasets;
import org.gradc.runtime.data.FloatColumn;
import org.gradc.runtime.data.IntColumn;
import org.gradc.runtime.train.DataParallel;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.Metric;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;
import org.gradc.runtime.train.TrainingContext;
import org.gradc.runtime.train.TrainingListener;
import org.gradc.spark.SparkTrainer;

/**
 * Trains {@code FashionMlp} (784-256-10, Adam) on Fashion-MNIST with {@link SparkTrainer}: the IDX
 * files are read into a DataFrame with columns {@code x} (array of 784 floats in [0, 1]) and {@code
 * y} (int label), then trained data-parallel over P partitions in global batches of 64.
 *
 * <pre>
 * SparkFashionMnist [dir] [epochs] [partitions] [--steps=N] [--batch=B] [--compare]
 * </pre>
 *
 * {@code dir} defaults to {@value #DEFAULT_DIR} (Debian's {@code dataset-fashion-mnist}); when the
 * files are missing it says so and exits with status 2. {@code --steps=N} stops after N steps;
 * {@code --compare} also trains with {@code Trainer.dataParallel(P)} in this JVM, checks that the
 * two models are bit-identical, and prints both step times. Without {@code spark.master} set (by
 * spark-submit) it runs on {@code local[2]}.
 *
 * <p>The rows are built on the driver from the local files, which suits local mode and small
 * clusters; on a real cluster, read the training set from distributed storage (Parquet, say) into
 * the same two columns.
 */
public final class SparkFashionMnist {
  static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
  static final String[] FILES = {
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz"
  };

  private SparkFashionMnist() {}

  public static void main(String[] args) {
    List<String> pos = new ArrayList<>();
    int maxSteps = Integer.MAX_VALUE;
    int batch = 64;
    boolean compare = false;
    for (String a : args) {
      if (a.startsWith("--steps=")) {
        maxSteps = Integer.parseInt(a.substring(8));
      } else if (a.startsWith("--batch=")) {
        batch = Integer.parseInt(a.substring(8));
      } else if (a.equals("--compare")) {
        compare = true;
      } else {
        pos.add(a);
      }
    }
    Path dir = Path.of(pos.size() > 0 ? pos.get(0) : DEFAULT_DIR);
    int epochs = pos.size() > 1 ? Integer.parseInt(pos.get(1)) : 1;
    for (String f : FILES) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        System.err.println("Fashion-MNIST not found: " + dir.resolve(f) + " does not exist.");
        System.err.println(
            "Install it with `apt-get install dataset-fashion-mnist` (it goes to "
                + DEFAULT_DIR
                + "), or pass the folder holding the four *-ubyte.gz files as the first argument.");
        System.exit(2);
      }
    }
    Dataset train = Datasets.idx(dir.resolve(FILES[0]), dir.resolve(FILES[1])).normalize(255f);
    Dataset test = Datasets.idx(dir.resolve(FILES[2]), dir.resolve(FILES[3])).normalize(255f);

    SparkSession.Builder builder = SparkSession.builder().appName("gradc Fashion-MNIST");
    if (!new org.apache.spark.SparkConf().contains("spark.master")) {
      builder.master("local[2]").config("spark.ui.enabled", "false");
    }
    SparkSession spark = builder.getOrCreate();
    try {
      int partitions =
          pos.size() > 2 ? Integer.parseInt(pos.get(2)) : spark.sparkContext().defaultParallelism();
      org.apache.spark.sql.Dataset<Row> frame = toDataFrame(spark, train);
      System.out.printf(
          "Fashion-MNIST: %d training rows in a DataFrame %s; %d partitions, global batch %d%n",
          train.size(), frame.schema().simpleString(), partitions, batch);

      SparkTrainer trainer =
          SparkTrainer.of(spark, FashionMlp.class)
              .seed(42)
              .globalBatch(batch)
              .partitions(partitions)
              .epochs(epochs)
              .shuffle(7)
              .validate(test)
              .listener(stopAfter(maxSteps))
              .onEpochEnd(
                  c ->
                      System.out.printf(
                          Locale.ROOT,
                          "epoch %d: %s%n",
                          c.epoch(),
                          c.history().epoch(c.history().size())));
      long t0 = System.nanoTime();
      History h = trainer.fit(frame);
      double seconds = (System.nanoTime() - t0) / 1e9;
      SparkTrainer.StepTimings t = trainer.timings();
      System.out.printf(
          Locale.ROOT,
          "test accuracy %.4f after %d steps (%.1f s including data layout)%n",
          h.last().get(Metric.VAL_ACCURACY),
          trainer.model().steps(),
          seconds);
      System.out.printf(
          Locale.ROOT,
          "spark per step: %.2f ms = broadcast %.2f + job %.2f (task compute %.2f) + driver sum"
              + " and update %.2f%n",
          (t.broadcastMs() + t.jobMs() + t.driverMs()) / t.steps(),
          t.broadcastMs() / t.steps(),
          t.jobMs() / t.steps(),
          t.computeMs() / t.steps(),
          t.driverMs() / t.steps());

      if (compare) {
        FashionMlp local = new FashionMlp();
        local.initialize(42);
        Trainer oracle =
            Trainer.of(local)
                .dataParallel(partitions)
                .batchSize(batch)
                .epochs(epochs)
                .shuffle(7)
                .validate(test)
                .progress(Progress.NONE)
                .listener(stopAfter(maxSteps));
        long s0 = System.nanoTime();
        oracle.fit(train);
        double ms = (System.nanoTime() - s0) / 1e6 / local.steps();
        System.out.printf(
            Locale.ROOT,
            "Trainer.dataParallel(%d) per step: %.2f ms (including its validation); bit-identical: %s%n",
            partitions,
            ms,
            same(local, trainer.model()));
      }
    } finally {
      spark.stop();
    }
  }

  /** Rows {@code (x: array<float>, y: int)}, built in parallel from broadcast columns. */
  static org.apache.spark.sql.Dataset<Row> toDataFrame(SparkSession spark, Dataset data) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<float[]> pixels = jsc.broadcast(((FloatColumn) data.column("x")).data());
    Broadcast<int[]> labels = jsc.broadcast(((IntColumn) data.column("y")).data());
    int width = data.column("x").rowSize();
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      ids.add(i);
    }
    // parallelize keeps the list's order across its slices, so row i gets index i
    JavaRDD<Row> rows =
        jsc.parallelize(ids, spark.sparkContext().defaultParallelism())
            .map(
                i -> {
                  float[] x = Arrays.copyOfRange(pixels.value(), i * width, (i + 1) * width);
                  return RowFactory.create(x, labels.value()[i]);
                });
    StructType schema =
        new StructType()
            .add("x", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("y", DataTypes.IntegerType, false);
    return spark.createDataFrame(rows, schema);
  }

  private static TrainingListener stopAfter(int steps) {
    return new TrainingListener() {
      @Override
      public void onBatchEnd(TrainingContext c) {
        if (c.step() >= steps) {
          c.requestStop();
        }
      }
    };
  }

  private static boolean same(Model a, Model b) {
    for (TensorKind k : new TensorKind[] {TensorKind.PARAM, TensorKind.STATE}) {
      List<Object> x = DataParallel.arrays(a, k);
      List<Object> y = DataParallel.arrays(b, k);
      for (int i = 0; i < x.size(); i++) {
        if (!Arrays.equals((float[]) x.get(i), (float[]) y.get(i))) {
          return false;
        }
      }
    }
    return a.steps() == b.steps();
  }
}
