package org.gradc.runtime.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.zip.CRC32;
import org.gradc.runtime.DType;
import org.gradc.runtime.ModelSpec;
import org.gradc.runtime.SplitMix64;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;

/**
 * An immutable in-memory table of named {@link Column columns} with the same number of rows. A
 * trainer feeds each column to the model input of the same name ({@link #rename} to match). Derived
 * datasets (shuffled, split, sliced) are new objects; the source is never changed.
 */
public final class Dataset {
  private final Map<String, Column> columns;
  private final int size;

  private Dataset(Map<String, Column> columns) {
    this.columns = columns;
    int n = -1;
    for (Column c : columns.values()) {
      if (n >= 0 && c.rows() != n) {
        throw new IllegalArgumentException(
            "column '" + c.name() + "' has " + c.rows() + " rows, the others " + n);
      }
      n = c.rows();
    }
    this.size = Math.max(n, 0);
  }

  /** A dataset of the given columns (names must differ; row counts must agree). */
  public static Dataset of(Column... columns) {
    Map<String, Column> m = new LinkedHashMap<>();
    for (Column c : columns) {
      if (m.put(c.name(), c) != null) {
        throw new IllegalArgumentException("two columns named '" + c.name() + "'");
      }
    }
    return new Dataset(m);
  }

  /** Float features {@code name} with rows of {@code rowShape}. */
  public static FloatColumn floats(String name, float[] data, int... rowShape) {
    return new FloatColumn(name, rowShape, data);
  }

  /** Integer labels {@code name}. */
  public static IntColumn ints(String name, int[] data) {
    return new IntColumn(name, data);
  }

  public int size() {
    return size;
  }

  public List<String> columnNames() {
    return List.copyOf(columns.keySet());
  }

  public List<Column> columns() {
    return List.copyOf(columns.values());
  }

  /**
   * The column {@code name}.
   *
   * @throws DataException naming the missing column and the ones there are
   */
  public Column column(String name) {
    Column c = columns.get(name);
    if (c == null) {
      throw new DataException("dataset has no column '" + name + "'; it has " + columnNames());
    }
    return c;
  }

  public boolean has(String name) {
    return columns.containsKey(name);
  }

  /** This dataset plus (or with a replaced) column {@code c}. */
  public Dataset with(Column c) {
    Map<String, Column> m = new LinkedHashMap<>(columns);
    m.put(c.name(), c);
    return new Dataset(m);
  }

  /** Column {@code from} renamed {@code to}, e.g. {@code rename("image", "x")}. */
  public Dataset rename(String from, String to) {
    Column c = column(from);
    Map<String, Column> m = new LinkedHashMap<>();
    for (Column k : columns.values()) {
      Column v = k == c ? c.named(to) : k;
      if (m.put(v.name(), v) != null) {
        throw new IllegalArgumentException("two columns named '" + to + "'");
      }
    }
    return new Dataset(m);
  }

  /** Every float column divided by {@code divisor} (e.g. 255 for pixels). */
  public Dataset normalize(float divisor) {
    Dataset d = this;
    for (Column c : columns.values()) {
      if (c instanceof FloatColumn) {
        d = d.normalize(c.name(), divisor);
      }
    }
    return d;
  }

  /** Float column {@code name} divided by {@code divisor}. */
  public Dataset normalize(String name, float divisor) {
    if (!(column(name) instanceof FloatColumn f)) {
      throw new DataException("column '" + name + "' holds int labels; only floats normalize");
    }
    float[] out = new float[f.data().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.data()[i] / divisor;
    }
    return with(new FloatColumn(name, f.rowShape(), out));
  }

  /** Rows {@code order[from..to)} as a new dataset. */
  public Dataset rows(int[] order, int from, int to) {
    Map<String, Column> m = new LinkedHashMap<>();
    for (Column c : columns.values()) {
      m.put(c.name(), c.gather(order, from, to));
    }
    return new Dataset(m);
  }

  /** Rows {@code [from, to)}. */
  public Dataset slice(int from, int to) {
    if (from < 0 || to > size || from > to) {
      throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + size + " rows");
    }
    return rows(identity(size), from, to);
  }

  /** The rows in the order {@link #order(long, long) order(seed, 0)}. */
  public Dataset shuffled(long seed) {
    return rows(order(seed, 0), 0, size);
  }

  /**
   * The shuffle order for {@code epoch} of a run seeded {@code seed}: a Fisher–Yates permutation
   * drawn from {@link SplitMix64#derive(long, long) SplitMix64.derive(seed, epoch)}. A function of
   * (seed, epoch, size) only, so a resumed run sees the same batches.
   */
  public int[] order(long seed, long epoch) {
    return SplitMix64.derive(seed, epoch).permutation(size);
  }

  static int[] identity(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    return p;
  }

  /** A split into training and validation rows. */
  public record Split(Dataset train, Dataset validation) {}

  /**
   * Shuffles with {@code seed} and puts the first {@code round(size·validationFraction)} rows in
   * the validation set, the rest in the training set.
   */
  public Split split(double validationFraction, long seed) {
    if (!(validationFraction > 0 && validationFraction < 1)) {
      throw new IllegalArgumentException(
          "validation fraction must be in (0, 1), was " + validationFraction);
    }
    int[] order = order(seed, -1);
    int v = (int) Math.round(size * validationFraction);
    return new Split(rows(order, v, size), rows(order, 0, v));
  }

  /** Consecutive mini-batches of {@code batchSize} rows; the last one may be smaller. */
  public Iterable<Dataset> batches(int batchSize) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive: " + batchSize);
    }
    int[] order = identity(size);
    return () ->
        new Iterator<>() {
          int from;

          @Override
          public boolean hasNext() {
            return from < size;
          }

          @Override
          public Dataset next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            int to = Math.min(size, from + batchSize);
            Dataset b = rows(order, from, to);
            from = to;
            return b;
          }
        };
  }

  /** Number of batches of {@code batchSize}, counting a final partial one. */
  public int batchCount(int batchSize) {
    return (size + batchSize - 1) / batchSize;
  }

  private static final int FINGERPRINT_CHUNK = 1 << 14;

  /**
   * CRC32 over column names, row shapes and values (little-endian), as 8 hex digits: identifies the
   * training data in a checkpoint's provenance.
   */
  public String fingerprint() {
    CRC32 crc = new CRC32();
    // bulk puts of 16 Ki values through a little-endian view: a loop of one put per value would
    // run interpreted for the whole dataset where on-stack replacement is off (gradc train)
    ByteBuffer b = ByteBuffer.allocate(FINGERPRINT_CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (Column c : columns.values()) {
      crc.update((c.name() + Column.shapeString(c.rowShape())).getBytes(StandardCharsets.UTF_8));
      int length = c instanceof FloatColumn f ? f.data().length : ((IntColumn) c).data().length;
      for (int at = 0; at < length; at += FINGERPRINT_CHUNK) {
        int n = Math.min(FINGERPRINT_CHUNK, length - at);
        b.clear();
        if (c instanceof FloatColumn f) {
          b.asFloatBuffer().put(f.data(), at, n);
        } else {
          b.asIntBuffer().put(((IntColumn) c).data(), at, n);
        }
        crc.update(b.limit(n * 4));
      }
    }
    return String.format("%08x", crc.getValue());
  }

  /**
   * This dataset with its columns named after the model's inputs: unchanged when every input
   * already has a column of its name; otherwise, when the dataset has the loaders' standard columns
   * {@code x} (features) and {@code y} (labels or targets) and the model has exactly one input of
   * each kind, they are renamed to the model's names (the usual case of a model that calls its
   * inputs {@code image} and {@code label}). Mismatches are left for {@link #requireInputs} to
   * report.
   */
  public Dataset forModel(ModelSpec spec) {
    Dataset d = renamedFor(spec);
    // 0/1 labels for a model that takes them as floats ([batch, 1], e.g. a sigmoid classifier)
    for (TensorSpec in : spec.ofKind(TensorKind.INPUT)) {
      if (in.dtype() != DType.I32
          && in.rowSize() == 1
          && d.columns.get(in.name()) instanceof IntColumn ic
          && ic.rowSize() == 1) {
        float[] f = new float[ic.rows()];
        for (int i = 0; i < f.length; i++) {
          f[i] = ic.data()[i];
        }
        d = d.with(new FloatColumn(in.name(), new int[] {1}, f));
      }
    }
    return d;
  }

  private Dataset renamedFor(ModelSpec spec) {
    List<TensorSpec> inputs = spec.ofKind(TensorKind.INPUT);
    if (inputs.stream().allMatch(in -> columns.containsKey(in.name()))
        || inputs.size() > 2
        || !columns.containsKey("x")) {
      return this;
    }
    TensorSpec features = null;
    TensorSpec labels = null;
    for (TensorSpec in : inputs) {
      if (in.dtype() == DType.I32 && labels == null) {
        labels = in;
      } else if (features == null) {
        features = in;
      } else if (labels == null) {
        labels = in; // a second float input: a regression target
      }
    }
    Dataset d = this;
    if (features != null && !features.name().equals("x") && !has(features.name())) {
      d = d.rename("x", features.name());
    }
    if (labels != null && d.has("y") && !labels.name().equals("y") && !d.has(labels.name())) {
      d = d.rename("y", labels.name());
    }
    return d;
  }

  /**
   * Checks that this dataset can feed every input of {@code spec}: a column of the same name, of
   * the right kind (floats or int labels), with the input's row size (a row of shape [28, 28] feeds
   * an input [batch, 784]: rows are flattened row-major), and labels within the input's classes.
   *
   * @param role "training data" or "validation data", for the message
   * @throws DataException naming the first mismatch
   */
  public void requireInputs(ModelSpec spec, String role) {
    if (size == 0) {
      throw new DataException(role + " is empty");
    }
    for (TensorSpec in : spec.ofKind(TensorKind.INPUT)) {
      if (!in.batched()) {
        throw new DataException(
            "model input '"
                + in.name()
                + "' "
                + in.shapeString()
                + " has no batch dimension, so it cannot be fed from a dataset");
      }
      if (!columns.containsKey(in.name())) {
        throw new DataException(
            role
                + " has no column '"
                + in.name()
                + "' for model input '"
                + in.name()
                + "' "
                + in.shapeString()
                + "; it has "
                + columnNames()
                + " (rename a column to match)");
      }
      Column c = columns.get(in.name());
      boolean wantInts = in.dtype() == DType.I32;
      if (wantInts != (c instanceof IntColumn)) {
        throw new DataException(
            role
                + " column '"
                + c.name()
                + "' holds "
                + (c instanceof IntColumn ? "int labels" : "floats")
                + ", but model input '"
                + in.name()
                + "' expects "
                + (wantInts ? "int labels" : "floats"));
      }
      if (c.rowSize() != in.rowSize()) {
        throw new DataException(
            role
                + " column '"
                + c.name()
                + "' has rows of shape "
                + Column.shapeString(c.rowShape())
                + " ("
                + c.rowSize()
                + " values), but model input '"
                + in.name()
                + "' "
                + in.shapeString()
                + " expects "
                + in.rowSize()
                + " values per row");
      }
      if (c instanceof IntColumn ic && in.classes() > 0) {
        int[] d = ic.data();
        for (int r = 0; r < d.length; r++) {
          if (d[r] < 0 || d[r] >= in.classes()) {
            throw new DataException(
                role
                    + " column '"
                    + c.name()
                    + "' row "
                    + r / ic.rowSize()
                    + ": expected a label in [0, "
                    + in.classes()
                    + "), found "
                    + d[r]);
          }
        }
      }
    }
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (Column c : columns.values()) {
      parts.add(
          c.name()
              + (c instanceof IntColumn ? ": int" : ": float")
              + Column.shapeString(c.rowShape()));
    }
    return "Dataset(" + size + " rows; " + String.join(", ", parts) + ")";
  }
}
