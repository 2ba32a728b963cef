package org.gradc.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.gradc.runtime.DType;
import org.gradc.runtime.Model;
import org.gradc.runtime.ModelSpec;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;

/**
 * Saves and loads a model's parameters and optimizer state in the <a
 * href="https://github.com/huggingface/safetensors">safetensors</a> format: an unsigned 64-bit
 * little-endian header length N, N bytes of JSON header (padded with spaces so the data starts at a
 * multiple of 8), then the raw little-endian tensor data. The header maps each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the data start), so
 * NumPy/PyTorch tools read the weights directly.
 *
 * <p>Saved tensors: every {@link TensorKind#PARAM} then every {@link TensorKind#STATE} tensor, in
 * spec order, under their spec names ({@code W1}, {@code W1.m}). gradc's own facts go in {@code
 * __metadata__} (all strings): {@code gradc.model}, {@code gradc.spec_fingerprint}, {@code
 * gradc.optimizer}, {@code gradc.hyper} ({@code lr=0.001,beta1=0.9,...}), {@code gradc.step},
 * {@code gradc.crc32} (of all data bytes), the {@link Provenance} fields {@code gradc.source_hash},
 * {@code gradc.compiler_version}, {@code gradc.seed}, {@code gradc.data_fingerprint}, and any extra
 * entries the caller adds (the trainer stores its resume state under {@code gradc.trainer.*}).
 *
 * <p>Saving is atomic: the file is written to a temporary file in the same directory, forced to
 * disk, then renamed over the target, so a crash leaves either the old file or the new one.
 *
 * <p>Loading is strict and leaves the model untouched unless everything checks out: the structure
 * (see {@link SafeTensorsHeader}), every tensor's dtype and shape against the model's spec, no
 * unknown or missing tensors, the spec fingerprint, optimizer and hyper-parameters, and the CRC32 —
 * the first problem is reported as a {@link CheckpointException}. Data is only allocated after the
 * header has been checked against the spec, and then only as much as the spec says. A file without
 * gradc metadata (written by another tool) may omit the optimizer state, which is then zeroed.
 */
public final class Checkpoint {
  private static final String P = "gradc.";
  private static final int CHUNK = 1 << 20;

  private Checkpoint() {}

  /** What a loaded checkpoint said about itself. */
  public record Info(Map<String, String> metadata, long step) {
    public Info {
      metadata = Map.copyOf(metadata);
    }

    /** A metadata entry, or {@code null}. */
    public String get(String key) {
      return metadata.get(key);
    }

    public Provenance provenance() {
      String seed = metadata.get(P + "seed");
      return new Provenance(
          metadata.get(P + "source_hash"),
          metadata.get(P + "compiler_version"),
          seed == null ? null : Long.valueOf(seed),
          metadata.get(P + "data_fingerprint"));
    }
  }

  public static void save(Model model, Path file, Provenance provenance) {
    save(model, file, provenance, Map.of());
  }

  /**
   * Writes the model's parameters, optimizer state, step and hyper-parameters to {@code file},
   * atomically.
   *
   * @param extra additional metadata (keys must not start with {@code gradc.} unless they start
   *     with {@code gradc.trainer.})
   * @throws CheckpointException naming the file when it cannot be written
   */
  public static void save(
      Model model, Path file, Provenance provenance, Map<String, String> extra) {
    ModelSpec spec = model.spec();
    List<TensorSpec> saved = savedTensors(spec);
    Map<String, Object> header = new LinkedHashMap<>();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put(P + "model", spec.modelName());
    meta.put(P + "spec_fingerprint", spec.fingerprint());
    meta.put(P + "optimizer", spec.optimizer().displayName());
    meta.put(P + "hyper", hyperText(model));
    meta.put(P + "step", Long.toString(model.steps()));
    meta.put(P + "crc32", String.format("%08x", crc(model, saved)));
    putIfKnown(meta, "source_hash", provenance.sourceHash());
    putIfKnown(meta, "compiler_version", provenance.compilerVersion());
    putIfKnown(meta, "seed", provenance.seed() == null ? null : provenance.seed().toString());
    putIfKnown(meta, "data_fingerprint", provenance.dataFingerprint());
    for (Map.Entry<String, String> e : extra.entrySet()) {
      if (meta.containsKey(e.getKey())
          || (e.getKey().startsWith(P) && !e.getKey().startsWith(P + "trainer."))) {
        throw new IllegalArgumentException("metadata key '" + e.getKey() + "' is reserved");
      }
      meta.put(e.getKey(), e.getValue());
    }
    header.put("__metadata__", meta);
    long offset = 0;
    for (TensorSpec t : saved) {
      long bytes = (long) t.rowSize() * width(t.dtype());
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", t.dtype().name());
      List<Object> shape = new ArrayList<>();
      for (int e : t.shape()) {
        shape.add((long) e);
      }
      entry.put("shape", shape);
      entry.put("data_offsets", List.of(offset, offset + bytes));
      header.put(t.name(), entry);
      offset += bytes;
    }
    StringBuilder json = new StringBuilder(Json.write(header));
    while ((8 + json.toString().getBytes(StandardCharsets.UTF_8).length) % 8 != 0) {
      json.append(' ');
    }
    byte[] headerBytes = json.toString().getBytes(StandardCharsets.UTF_8);
    write(model, file, saved, headerBytes);
  }

  private static void putIfKnown(Map<String, Object> meta, String key, String value) {
    if (value != null) {
      meta.put(P + key, value);
    }
  }

  private static String hyperText(Model model) {
    StringBuilder s = new StringBuilder();
    for (OptimizerKind.HyperParameter h : model.spec().optimizer().hyperParameters()) {
      s.append(s.length() > 0 ? "," : "").append(h.name()).append('=');
      s.append(Double.toString(model.hyperParameter(h.name())));
    }
    return s.toString();
  }

  /** The tensors a checkpoint holds: every parameter, then every optimizer state, in spec order. */
  static List<TensorSpec> savedTensors(ModelSpec spec) {
    List<TensorSpec> out = new ArrayList<>(spec.ofKind(TensorKind.PARAM));
    out.addAll(spec.ofKind(TensorKind.STATE));
    return out;
  }

  private static int width(DType t) {
    return t == DType.F64 ? 8 : 4;
  }

  private static Object live(Model model, TensorSpec t) {
    return model.tensor(t.kind(), t.kind() == TensorKind.GRADIENT ? t.of() : t.name());
  }

  /** Encodes tensors chunk by chunk, handing each filled chunk to {@code sink}. */
  private interface Sink {
    void accept(ByteBuffer chunk) throws IOException;
  }

  private static void encode(Model model, List<TensorSpec> saved, Sink sink) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    for (TensorSpec t : saved) {
      Object a = live(model, t);
      int n = t.rowSize();
      for (int i = 0; i < n; i++) {
        if (b.remaining() < 8) {
          sink.accept(b.flip());
          b.clear();
        }
        if (a instanceof float[] f) {
          b.putFloat(f[i]);
        } else if (a instanceof double[] d) {
          b.putDouble(d[i]);
        } else {
          b.putInt(((int[]) a)[i]);
        }
      }
    }
    sink.accept(b.flip());
  }

  private static long crc(Model model, List<TensorSpec> saved) {
    CRC32 crc = new CRC32();
    try {
      encode(model, saved, crc::update);
    } catch (IOException impossible) {
      throw new AssertionError(impossible);
    }
    return crc.getValue();
  }

  private static void write(Model model, Path file, List<TensorSpec> saved, byte[] header) {
    Path target = file.toAbsolutePath();
    Path tmp = null;
    try {
      tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(header.length).put(header).flip();
        writeFully(ch, head);
        encode(model, saved, chunk -> writeFully(ch, chunk));
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      tmp = null;
    } catch (AtomicMoveNotSupportedException e) {
      throw new CheckpointException(file + ": cannot save atomically: " + e.getMessage(), e);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file + ": cannot write: no such directory", e);
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot write: " + e, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the original error matters more
        }
      }
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /**
   * Loads {@code file} into {@code model}: parameters, optimizer state, step and hyper-parameters.
   * On any problem the model is left unchanged.
   *
   * @throws CheckpointException naming the file and the first problem
   */
  public static Info load(Model model, Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return load(model, file, ch);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file + ": no such file");
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read: " + e, e);
    }
  }

  /**
   * Reads and checks the structure and metadata of {@code file} without a model (for tools that
   * show a checkpoint's provenance).
   */
  public static Info inspect(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      SafeTensorsHeader h = SafeTensorsHeader.read(ch, file);
      return new Info(h.metadata, step(file, h.metadata));
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file + ": no such file");
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read: " + e, e);
    }
  }

  private static long step(Path file, Map<String, String> meta) {
    String s = meta.get(P + "step");
    if (s == null) {
      return 0;
    }
    try {
      long v = Long.parseLong(s);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw SafeTensorsHeader.fail(file, "gradc.step is \"" + s + "\", not a step count");
  }

  /** Loads from an open channel; {@code file} only names it in messages. */
  static Info load(Model model, Path file, SeekableByteChannel ch) throws IOException {
    SafeTensorsHeader h = SafeTensorsHeader.read(ch, file);
    ModelSpec spec = model.spec();
    Map<String, String> meta = h.metadata;
    boolean ours = meta.containsKey(P + "spec_fingerprint");
    // An inference-only class (no gradients) loads a training checkpoint: its parameters and model
    // states; the optimizer state is read (for the CRC) and dropped.
    boolean inference = spec.ofKind(TensorKind.GRADIENT).isEmpty();
    Map<String, TensorSpec> dropped = new LinkedHashMap<>();
    Map<String, SafeTensorsHeader.Entry> byName = new LinkedHashMap<>();
    for (SafeTensorsHeader.Entry e : h.entries) {
      byName.put(e.name(), e);
      TensorSpec t = savedTensor(spec, e.name());
      if (t == null && inference && optimizerStateOf(spec, e.name())) {
        dropped.put(e.name(), droppedTensor(file, e));
        continue;
      }
      if (t == null) {
        throw SafeTensorsHeader.fail(
            file,
            "tensor '"
                + e.name()
                + "' is not a parameter or optimizer state of model '"
                + spec.modelName()
                + "'");
      }
      if (!e.dtype().equals(t.dtype().name())) {
        throw SafeTensorsHeader.fail(
            file,
            "tensor '"
                + e.name()
                + "': dtype "
                + e.dtype()
                + " in the file, the model expects "
                + t.dtype().name());
      }
      long[] want = Arrays.stream(t.shape()).asLongStream().toArray();
      if (!Arrays.equals(want, e.shape())) {
        throw SafeTensorsHeader.fail(
            file,
            "tensor '"
                + e.name()
                + "': shape "
                + e.shapeString()
                + " in the file, the model expects "
                + new SafeTensorsHeader.Entry("", "", want, 0, 0).shapeString());
      }
    }
    List<TensorSpec> saved = savedTensors(spec);
    for (TensorSpec t : saved) {
      if (!byName.containsKey(t.name()) && (ours || t.kind() == TensorKind.PARAM)) {
        throw SafeTensorsHeader.fail(
            file,
            "tensor '"
                + t.name()
                + "' ("
                + (t.kind() == TensorKind.PARAM ? "parameter " : "optimizer state ")
                + t.dtype()
                + t.shapeString()
                + ") is missing");
      }
    }
    double[] hyper = null;
    long step = 0;
    long crc = -1;
    if (ours) {
      String fp = meta.get(P + "spec_fingerprint");
      if (!dropped.isEmpty()) {
        // the fingerprint covers the training class's optimizer state; the model name, every
        // tensor's dtype and shape, and the CRC are still checked
        String writtenFor = meta.getOrDefault(P + "model", "?");
        if (!writtenFor.equals(spec.modelName())) {
          throw SafeTensorsHeader.fail(
              file,
              "checkpoint was written for model '"
                  + writtenFor
                  + "'; this is model '"
                  + spec.modelName()
                  + "'");
        }
        fp = spec.fingerprint();
      }
      if (!fp.equals(spec.fingerprint())) {
        throw SafeTensorsHeader.fail(
            file,
            "checkpoint was written for model '"
                + meta.getOrDefault(P + "model", "?")
                + "' with optimizer "
                + meta.getOrDefault(P + "optimizer", "?")
                + " (spec fingerprint "
                + fp
                + "); this is model '"
                + spec.modelName()
                + "' with optimizer "
                + spec.optimizer().displayName()
                + " ("
                + spec.fingerprint()
                + ")");
      }
      hyper = !dropped.isEmpty() ? null : hyper(file, meta.get(P + "hyper"), spec.optimizer());
      step = step(file, meta);
      String c = meta.get(P + "crc32");
      if (c == null || !c.matches("[0-9a-f]{8}")) {
        throw SafeTensorsHeader.fail(file, "gradc.crc32 is missing or not 8 hex digits");
      }
      crc = Long.parseLong(c, 16);
    }
    // Everything is consistent with the spec: now read the data into fresh arrays.
    CRC32 actual = new CRC32();
    List<SafeTensorsHeader.Entry> order = new ArrayList<>(h.entries);
    order.sort(java.util.Comparator.comparingLong(SafeTensorsHeader.Entry::begin));
    Map<String, Object> values = new LinkedHashMap<>();
    for (SafeTensorsHeader.Entry e : order) {
      TensorSpec t = savedTensor(spec, e.name());
      if (t == null) {
        t = dropped.get(e.name());
      }
      values.put(e.name(), readTensor(ch, file, h.dataStart + e.begin(), t, actual));
    }
    if (crc >= 0 && actual.getValue() != crc) {
      throw SafeTensorsHeader.fail(
          file,
          String.format(
              "data CRC32 is %08x, the header says %08x: the file is corrupt",
              actual.getValue(), crc));
    }
    // Commit.
    for (TensorSpec t : saved) {
      Object dst = live(model, t);
      Object src = values.get(t.name());
      if (src == null) {
        zero(dst);
      } else {
        System.arraycopy(src, 0, dst, 0, java.lang.reflect.Array.getLength(src));
      }
    }
    model.steps(step);
    if (hyper != null) {
      List<OptimizerKind.HyperParameter> hp = spec.optimizer().hyperParameters();
      for (int i = 0; i < hyper.length; i++) {
        model.hyperParameter(hp.get(i).name(), hyper[i]);
      }
    }
    return new Info(meta, step);
  }

  private static void zero(Object a) {
    if (a instanceof float[] f) {
      Arrays.fill(f, 0f);
    } else if (a instanceof double[] d) {
      Arrays.fill(d, 0.0);
    } else {
      Arrays.fill((int[]) a, 0);
    }
  }

  /** Whether {@code name} is optimizer state ({@code W1.m}) of one of {@code spec}'s parameters. */
  private static boolean optimizerStateOf(ModelSpec spec, String name) {
    int dot = name.lastIndexOf('.');
    return dot > 0 && spec.slot(TensorKind.PARAM, name.substring(0, dot)) >= 0;
  }

  /** A spec for reading an optimizer-state tensor an inference-only class drops. */
  private static TensorSpec droppedTensor(Path file, SafeTensorsHeader.Entry e) {
    DType dtype;
    try {
      dtype = DType.valueOf(e.dtype());
    } catch (IllegalArgumentException x) {
      throw SafeTensorsHeader.fail(file, "tensor '" + e.name() + "': dtype " + e.dtype());
    }
    int[] shape = new int[e.shape().length];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = Math.toIntExact(e.shape()[i]);
    }
    return new TensorSpec(e.name(), TensorKind.STATE, dtype, shape, e.name(), null, 0);
  }

  private static TensorSpec savedTensor(ModelSpec spec, String name) {
    for (TensorSpec t : spec.tensors()) {
      if ((t.kind() == TensorKind.PARAM || t.kind() == TensorKind.STATE) && t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  private static double[] hyper(Path file, String text, OptimizerKind opt) {
    List<OptimizerKind.HyperParameter> hp = opt.hyperParameters();
    double[] out = new double[hp.size()];
    String[] parts = text == null ? new String[0] : text.split(",", -1);
    if (parts.length != hp.size()) {
      throw SafeTensorsHeader.fail(
          file,
          "gradc.hyper is \""
              + text
              + "\"; expected the "
              + hp.size()
              + " hyper-parameters of "
              + opt.displayName());
    }
    for (int i = 0; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      try {
        if (kv.length != 2 || !kv[0].equals(hp.get(i).name())) {
          throw new NumberFormatException();
        }
        out[i] = Double.parseDouble(kv[1]);
      } catch (NumberFormatException e) {
        throw SafeTensorsHeader.fail(
            file,
            "gradc.hyper entry \"" + parts[i] + "\" is not " + hp.get(i).name() + "=<number>");
      }
    }
    return out;
  }

  private static Object readTensor(
      SeekableByteChannel ch, Path file, long position, TensorSpec t, CRC32 crc)
      throws IOException {
    int n = t.rowSize();
    int w = width(t.dtype());
    Object out =
        switch (t.dtype()) {
          case F32 -> new float[n];
          case F64 -> new double[n];
          case I32 -> new int[n];
        };
    ByteBuffer b = ByteBuffer.allocate(Math.min(CHUNK, Math.max(w, n * w)));
    b.order(ByteOrder.LITTLE_ENDIAN);
    int done = 0;
    while (done < n) {
      int count = Math.min(n - done, b.capacity() / w);
      b.clear().limit(count * w);
      SafeTensorsHeader.readFully(ch, b, position + (long) done * w, file);
      b.flip();
      crc.update(b.duplicate());
      for (int i = 0; i < count; i++) {
        if (out instanceof float[] f) {
          f[done + i] = b.getFloat();
        } else if (out instanceof double[] d) {
          d[done + i] = b.getDouble();
        } else {
          ((int[]) out)[done + i] = b.getInt();
        }
      }
      done += count;
    }
    return out;
  }
}
