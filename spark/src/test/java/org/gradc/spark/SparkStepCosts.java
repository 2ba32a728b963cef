package org.gradc.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.gradc.examples.FashionMlp;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.FloatColumn;
import org.gradc.runtime.data.IntColumn;
import org.gradc.runtime.train.DataParallel;

/**
 * Not a test: measures the parts of one synchronous Spark step for the Fashion-MNIST MLP separately
 * (for docs/performance.md). Run with the test class path and Spark's JVM options: {@code java ...
 * org.gradc.spark.SparkStepCosts [shardRows]}.
 */
public final class SparkStepCosts {
  private SparkStepCosts() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    Random r = new Random(1);
    float[] x = new float[rows * 784];
    int[] y = new int[rows];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    for (int i = 0; i < rows; i++) {
      y[i] = r.nextInt(10);
    }
    Dataset d = Dataset.of(new FloatColumn("x", new int[] {784}, x), new IntColumn("y", y));
    int[] order = new int[rows];
    for (int i = 0; i < rows; i++) {
      order[i] = i;
    }
    FashionMlp main = new FashionMlp();
    Model rep = main.copy();
    DataParallel.Worker w = new DataParallel.Worker(rep, d, rows);

    // 1. a shard's gradient (feed, forward for accuracy, loss and gradients)
    double compute = time(3000, () -> w.gradients(order, 0, rows, true));
    // 2. the result's round trip through Java serialization (what a task result costs, twice)
    Object[] grads = TaskArrays.copyOf(DataParallel.arrays(rep, TensorKind.GRADIENT));
    ShardOutput out = new ShardOutput(1, rows, 0.5, 3, grads, 0);
    int[] size = new int[1];
    double serial =
        time(
            300,
            () -> {
              try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
                  o.writeObject(out);
                }
                size[0] = bytes.size();
                try (ObjectInputStream i =
                    new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                  i.readObject();
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    // 3. the driver's sum of two shards and the optimizer update
    List<Object> g = DataParallel.arrays(main, TensorKind.GRADIENT);
    List<List<Object>> in = List.of(out.arrayList(), out.arrayList());
    double sum =
        time(1000, () -> DataParallel.weightedSum(g, in, new int[] {rows, rows}, 2 * rows));
    double update = time(1000, main::applyGradients);
    double copy = time(1000, () -> TaskArrays.copyOf(DataParallel.arrays(main, TensorKind.PARAM)));

    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "localhost")
            .getOrCreate();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> two = new ArrayList<>(List.of(0, 1));
    JavaRDD<Integer> parts = jsc.parallelize(two, 2).cache();
    parts.count();
    // 4. an empty two-task job: scheduling and result handling alone
    double job = time(300, () -> parts.mapPartitions(it -> List.of(0).iterator()).collect());
    // 5. a job whose tasks read a broadcast of the parameters and return one gradient each
    Object[] params = TaskArrays.copyOf(DataParallel.arrays(main, TensorKind.PARAM));
    double broadcastJob =
        time(
            200,
            () -> {
              Broadcast<Object[]> b = jsc.broadcast(params);
              parts
                  .mapPartitions(
                      it -> {
                        Object[] p = b.value();
                        return List.of(new ShardOutput(0, 1, 0, 0, grads, p.length)).iterator();
                      })
                  .collect();
              b.destroy(false);
            });
    spark.stop();
    System.out.printf(
        Locale.ROOT,
        "shard of %d rows: compute %.3f ms; result %d bytes, serialize+deserialize %.3f ms;"
            + " driver sum of 2 shards %.3f ms + update %.3f ms + parameter copy %.3f ms;"
            + " empty 2-task job %.2f ms; job with parameter broadcast and 2 gradient results"
            + " %.2f ms%n",
        rows,
        compute,
        size[0],
        serial,
        sum,
        update,
        copy,
        job,
        broadcastJob);
  }

  /**
   * Mean wall milliseconds per run of {@code body}, after as many warm-up runs; also prints the
   * process CPU milliseconds per run (all threads), which a loaded machine distorts less.
   */
  private static double time(int n, Runnable body) {
    for (int i = 0; i < n; i++) {
      body.run();
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long c0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      body.run();
    }
    double wall = (System.nanoTime() - t0) / 1e6 / n;
    System.out.printf(
        Locale.ROOT,
        "  %d runs: wall %.3f ms, process CPU %.3f ms per run%n",
        n,
        wall,
        (os.getProcessCpuTime() - c0) / 1e6 / n);
    return wall;
  }
}
