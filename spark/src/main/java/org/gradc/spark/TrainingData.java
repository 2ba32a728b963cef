package org.gradc.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.gradc.runtime.SplitMix64;
import scala.Tuple2;

/**
 * The training set on the cluster: rows read once from the DataFrame, given their stable index
 * (their position in the DataFrame, by {@code zipWithIndex}) and cached; and, per epoch, the {@link
 * Block}s of a {@link Layout}, made by a deterministic shuffle keyed by the row's position in the
 * epoch's order (never {@code repartition()}, whose round-robin placement changes when a task is
 * retried) and cached until the next epoch's layout replaces them.
 */
final class TrainingData implements AutoCloseable {
  private final JavaSparkContext jsc;
  private final List<InputColumn> columns;
  private final JavaRDD<PackedRow> rows;
  private final int size;
  private JavaRDD<Block> blocks;
  private Broadcast<int[]> positions;
  private long blocksEpoch = Long.MIN_VALUE;

  private TrainingData(JavaSparkContext jsc, List<InputColumn> columns, JavaRDD<PackedRow> rows) {
    this.jsc = jsc;
    this.columns = columns;
    this.rows = rows;
    long n = rows.count();
    if (n > Integer.MAX_VALUE) {
      rows.unpersist(false);
      throw new IllegalArgumentException(
          "training data has " + n + " rows; at most " + Integer.MAX_VALUE + " are supported");
    }
    this.size = (int) n;
  }

  /**
   * Reads {@code df} (already checked against the columns) into cached packed rows.
   *
   * @throws org.gradc.runtime.data.DataException for the first bad row
   */
  static TrainingData read(
      JavaSparkContext jsc, org.apache.spark.sql.Dataset<Row> df, List<InputColumn> columns) {
    org.apache.spark.sql.Dataset<Row> selected = select(df, columns);
    // the first row on the driver: a wrong row size fails here with a plain message
    for (Row r : selected.takeAsList(1)) {
      pack(r, 0, columns);
    }
    JavaRDD<PackedRow> packed =
        selected
            .javaRDD()
            .zipWithIndex()
            .map(t -> pack(t._1(), t._2(), columns))
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      return new TrainingData(jsc, columns, packed);
    } catch (Exception e) {
      packed.unpersist(false);
      throw SparkErrors.unwrap(e);
    }
  }

  static org.apache.spark.sql.Dataset<Row> select(
      org.apache.spark.sql.Dataset<Row> df, List<InputColumn> columns) {
    String[] names = columns.stream().map(InputColumn::name).toArray(String[]::new);
    return df.select(names[0], Arrays.copyOfRange(names, 1, names.length));
  }

  static PackedRow pack(Row r, long index, List<InputColumn> columns) {
    Object[] values = new Object[columns.size()];
    for (int c = 0; c < values.length; c++) {
      values[c] = columns.get(c).read(r, c, index);
    }
    return new PackedRow(index, values);
  }

  /** Rows with a stable index. */
  int size() {
    return size;
  }

  /**
   * The blocks of {@code layout} for an epoch whose order is {@link SplitMix64#derive(long, long)
   * SplitMix64.derive(seed, epoch)}{@code .permutation(size)} (the runtime trainer's shuffle), or
   * the identity when {@code seed} is null; built and cached on first request for that epoch.
   */
  JavaRDD<Block> blocks(Layout layout, Long seed, int epoch) {
    long key = seed == null ? Long.MIN_VALUE + 1 : epoch;
    if (blocks != null && key == blocksEpoch) {
      return blocks;
    }
    release();
    Broadcast<int[]> pos = null;
    if (seed != null) {
      int[] order = SplitMix64.derive(seed, epoch).permutation(size);
      int[] inverse = new int[size];
      for (int i = 0; i < size; i++) {
        inverse[order[i]] = i;
      }
      pos = jsc.broadcast(inverse);
    }
    Broadcast<int[]> position = pos;
    List<InputColumn> cols = columns;
    JavaRDD<Block> b =
        rows.mapToPair(
                r ->
                    new Tuple2<>(
                        position == null ? r.index() : (long) position.value()[(int) r.index()], r))
            .repartitionAndSortWithinPartitions(new ShardPartitioner(layout))
            .mapPartitions(
                (Iterator<Tuple2<Long, PackedRow>> it) -> {
                  List<PackedRow> list = new ArrayList<>();
                  it.forEachRemaining(t -> list.add(t._2()));
                  return List.of(Block.pack(cols, list)).iterator();
                },
                true)
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      b.count(); // materialize now, so the steps' timings do not include the layout
    } catch (Exception e) {
      b.unpersist(false);
      throw SparkErrors.unwrap(e);
    }
    this.blocks = b;
    this.positions = pos;
    this.blocksEpoch = key;
    return b;
  }

  /**
   * An order-independent content hash of the rows (index and values): resuming from a checkpoint
   * checks that the data are the same.
   */
  String fingerprint() {
    long h =
        rows.map(
                r -> {
                  long x = SplitMix64.mix(r.index());
                  for (Object v : r.values()) {
                    x =
                        SplitMix64.mix(
                            x
                                ^ (v instanceof float[] f
                                    ? Arrays.hashCode(f)
                                    : Arrays.hashCode((int[]) v)));
                  }
                  return x;
                })
            .fold(0L, Long::sum);
    return String.format("spark:%d:%016x", size, h);
  }

  private void release() {
    if (blocks != null) {
      blocks.unpersist(false);
      blocks = null;
    }
    if (positions != null) {
      positions.destroy();
      positions = null;
    }
  }

  @Override
  public void close() {
    release();
    rows.unpersist(false);
  }
}
