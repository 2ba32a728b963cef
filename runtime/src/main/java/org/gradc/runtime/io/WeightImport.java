package org.gradc.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.gradc.runtime.Model;
import org.gradc.runtime.ModelSpec;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;

/**
 * Loads weights from a safetensors file written by another tool (PyTorch, the {@code safetensors}
 * package, NumPy) into a model, by tensor name:
 *
 * <pre>{@code
 * WeightImport.from(Path.of("net.safetensors"))
 *     .map("0.weight", "W1").transpose("W1")   // PyTorch's Linear stores [out, in]
 *     .map("0.bias", "b1")
 *     .ignore("*.num_batches_tracked")         // an I64 counter, not a weight
 *     .into(model);
 * }</pre>
 *
 * <p><b>Names.</b> A file tensor goes to the model tensor {@link #map} names, else to the model
 * tensor of its own name. The model tensors that can be imported are those a checkpoint holds:
 * parameters and optimizer state ({@code W1.m}). Every parameter must receive a tensor; optimizer
 * state the file lacks is zeroed and the step count is set to 0, as for a fresh start. File tensors
 * matching an {@link #ignore} pattern are skipped; any other file tensor the model does not take is
 * an error unless {@link #allowUnused()}.
 *
 * <p><b>Layouts.</b> {@link #transpose} and {@link #permute} say that a model tensor is stored in
 * the file with its axes in another order; nothing is transposed unless asked, so a square matrix
 * cannot be silently loaded the wrong way round. Element types convert as {@link ElementConversion}
 * documents: F32, F16 and BF16 exactly, F64 into an f32 model rounded to nearest; integer tensors
 * are refused (ignore them).
 *
 * <p><b>Errors.</b> The header is validated as for {@link Checkpoint#load} (a malformed file fails
 * with a {@link CheckpointException} naming the first problem). Then every mismatch — a mapping to
 * a name the model lacks or from a name the file lacks, a missing parameter, a wrong shape or
 * dtype, an unused tensor — is collected and reported together in one {@link
 * WeightImportException}, one line per problem naming the tensor. The model is changed only when
 * there is no problem at all.
 *
 * <p>A builder: the configuration methods return {@code this}; {@link #into} may be called more
 * than once.
 */
public final class WeightImport {
  private final Path file;
  private final Map<String, String> mapping = new LinkedHashMap<>();
  private final Map<String, int[]> permutations = new LinkedHashMap<>();
  private final List<String> ignored = new ArrayList<>();
  private boolean allowUnused;

  private WeightImport(Path file) {
    this.file = file;
  }

  /** An import from {@code file}, with no mapping yet. */
  public static WeightImport from(Path file) {
    return new WeightImport(file);
  }

  /**
   * File tensor {@code fileTensor} goes to model tensor {@code modelTensor} (instead of to a model
   * tensor of its own name).
   *
   * @throws IllegalArgumentException if {@code fileTensor} is already mapped elsewhere
   */
  public WeightImport map(String fileTensor, String modelTensor) {
    String old = mapping.putIfAbsent(fileTensor, modelTensor);
    if (old != null && !old.equals(modelTensor)) {
      throw new IllegalArgumentException(
          "file tensor '" + fileTensor + "' is mapped twice: to " + old + " and " + modelTensor);
    }
    return this;
  }

  /**
   * Model tensor {@code modelTensor} (2-D) is stored transposed in the file: {@code [out, in]}, as
   * PyTorch's {@code Linear.weight} is, for a model's {@code [in, out]}.
   */
  public WeightImport transpose(String modelTensor) {
    return permute(modelTensor, 1, 0);
  }

  /**
   * Model tensor {@code modelTensor}'s axis {@code i} is the file tensor's axis {@code axes[i]} (as
   * {@code numpy.transpose(fileTensor, axes)}). For example PyTorch's convolution weights {@code
   * [out, in, kh, kw]} into a {@code [kh, kw, in, out]} tensor: {@code permute(name, 2, 3, 1, 0)}.
   *
   * @throws IllegalArgumentException if {@code axes} is not a permutation of {@code 0..n-1}
   */
  public WeightImport permute(String modelTensor, int... axes) {
    boolean[] seen = new boolean[axes.length];
    for (int a : axes) {
      if (a < 0 || a >= axes.length || seen[a]) {
        throw new IllegalArgumentException(
            "permute " + modelTensor + ": " + Arrays.toString(axes) + " is not a permutation");
      }
      seen[a] = true;
    }
    permutations.put(modelTensor, axes.clone());
    return this;
  }

  /**
   * Skips every file tensor whose name matches {@code pattern}, where {@code *} matches any run of
   * characters (dots included) and {@code ?} one character: {@code *.num_batches_tracked}. A tensor
   * named in {@link #map} is imported even if it matches.
   */
  public WeightImport ignore(String pattern) {
    ignored.add(pattern);
    return this;
  }

  /** File tensors the model does not take are reported in the result instead of refused. */
  public WeightImport allowUnused() {
    allowUnused = true;
    return this;
  }

  /**
   * One imported tensor.
   *
   * @param fileTensor its name in the file
   * @param modelTensor the model tensor it went to
   * @param fileDtype its element type in the file ({@code F16}, …)
   * @param axes the permutation applied, or {@code null}
   */
  public record Loaded(String fileTensor, String modelTensor, String fileDtype, int[] axes) {}

  /**
   * What an import did.
   *
   * @param loaded the imported tensors, in the model's order
   * @param ignored file tensors skipped by an {@link #ignore} pattern
   * @param unused file tensors nothing took (only with {@link #allowUnused()})
   * @param zeroed model tensors (optimizer state) the file did not hold, now zero
   * @param metadata the file's {@code __metadata__}
   */
  public record Result(
      List<Loaded> loaded,
      List<String> ignored,
      List<String> unused,
      List<String> zeroed,
      Map<String, String> metadata) {
    public Result {
      loaded = List.copyOf(loaded);
      ignored = List.copyOf(ignored);
      unused = List.copyOf(unused);
      zeroed = List.copyOf(zeroed);
      metadata = Map.copyOf(metadata);
    }

    /** {@code imported 4 tensors (1 transposed); ignored 1: 1.num_batches_tracked}. */
    public String summary() {
      long permuted = loaded.stream().filter(l -> l.axes() != null).count();
      StringBuilder s = new StringBuilder("imported ").append(loaded.size());
      s.append(loaded.size() == 1 ? " tensor" : " tensors");
      if (permuted > 0) {
        s.append(" (").append(permuted).append(" transposed)");
      }
      if (!ignored.isEmpty()) {
        s.append("; ignored ").append(ignored.size()).append(": ");
        s.append(String.join(", ", ignored));
      }
      if (!unused.isEmpty()) {
        s.append("; unused ").append(unused.size()).append(": ").append(String.join(", ", unused));
      }
      return s.toString();
    }
  }

  /**
   * Imports into {@code model}; on any problem the model is left unchanged.
   *
   * @throws WeightImportException listing every mismatch between the file and the model
   * @throws CheckpointException if the file cannot be read or is not valid safetensors
   */
  public Result into(Model model) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return into(model, ch);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file + ": no such file");
    } catch (IOException e) {
      throw new CheckpointException(file + ": cannot read: " + e, e);
    }
  }

  /** A planned tensor: file entry, model tensor, axes (or null). */
  private record Plan(SafeTensorsHeader.Entry entry, TensorSpec target, int[] axes) {}

  private Result into(Model model, SeekableByteChannel ch) throws IOException {
    SafeTensorsHeader h = SafeTensorsHeader.read(ch, file);
    ModelSpec spec = model.spec();
    List<TensorSpec> importable = Checkpoint.savedTensors(spec);
    Map<String, TensorSpec> byName = new LinkedHashMap<>();
    for (TensorSpec t : importable) {
      byName.put(t.name(), t);
    }
    Map<String, SafeTensorsHeader.Entry> entries = new LinkedHashMap<>();
    for (SafeTensorsHeader.Entry e : h.entries) {
      entries.put(e.name(), e);
    }
    List<String> problems = new ArrayList<>();

    // The explicit mapping and the layout options, against both sides.
    for (Map.Entry<String, String> m : mapping.entrySet()) {
      if (!byName.containsKey(m.getValue())) {
        problems.add(
            "mapping "
                + m.getKey()
                + " -> "
                + m.getValue()
                + ": model '"
                + spec.modelName()
                + "' has no parameter '"
                + m.getValue()
                + "'; its parameters are "
                + names(spec.ofKind(TensorKind.PARAM)));
      } else if (!entries.containsKey(m.getKey())) {
        problems.add(
            "mapping "
                + m.getKey()
                + " -> "
                + m.getValue()
                + ": the file has no tensor '"
                + m.getKey()
                + "'"
                + nearby(m.getKey(), entries.keySet()));
      }
    }
    for (String t : permutations.keySet()) {
      if (!byName.containsKey(t)) {
        problems.add(
            "transpose "
                + t
                + ": model '"
                + spec.modelName()
                + "' has no parameter '"
                + t
                + "' (name the model tensor, not the file tensor)");
      }
    }

    // Which file tensor goes where.
    Map<String, SafeTensorsHeader.Entry> sourceOf = new LinkedHashMap<>();
    List<String> ignoredNames = new ArrayList<>();
    List<String> unused = new ArrayList<>();
    List<Pattern> patterns = ignored.stream().map(WeightImport::glob).toList();
    for (SafeTensorsHeader.Entry e : h.entries) {
      String target = mapping.get(e.name());
      if (target == null && patterns.stream().anyMatch(p -> p.matcher(e.name()).matches())) {
        ignoredNames.add(e.name());
        continue;
      }
      if (target == null && byName.containsKey(e.name()) && !mapping.containsValue(e.name())) {
        target = e.name();
      }
      if (target == null || !byName.containsKey(target)) {
        if (target == null) {
          unused.add(e.name());
        }
        continue;
      }
      SafeTensorsHeader.Entry other = sourceOf.putIfAbsent(target, e);
      if (other != null) {
        problems.add("tensors '" + other.name() + "' and '" + e.name() + "' both map to " + target);
      }
    }
    if (!allowUnused) {
      for (String u : unused) {
        SafeTensorsHeader.Entry e = entries.get(u);
        String why =
            byName.containsKey(u)
                ? u + " receives another tensor by the mapping; ignore this one"
                : "model '"
                    + spec.modelName()
                    + "' has no tensor of that name; map it to one, or"
                    + " ignore it";
        problems.add("tensor '" + u + "' (" + e.dtype() + e.shapeString() + "): " + why);
      }
    }

    // Every parameter must be supplied, with the right dtype and shape.
    List<Plan> plans = new ArrayList<>();
    List<String> zeroed = new ArrayList<>();
    for (TensorSpec t : importable) {
      SafeTensorsHeader.Entry e = sourceOf.get(t.name());
      if (e == null) {
        if (t.kind() != TensorKind.PARAM) {
          zeroed.add(t.name());
        } else if (!mapping.containsValue(t.name())) {
          // (A mapping to it from an absent file tensor was reported above.)
          problems.add(
              "parameter "
                  + t.name()
                  + " ("
                  + t.dtype()
                  + t.shapeString()
                  + "): no tensor in the file goes to it"
                  + candidates(t, unused, entries));
        }
        continue;
      }
      int[] axes = permutations.get(t.name());
      String arrow = "tensor '" + e.name() + "' -> " + t.name();
      String refusal = ElementConversion.refusal(e.dtype(), t.dtype());
      if (refusal != null) {
        problems.add(
            arrow
                + ": dtype "
                + e.dtype()
                + " cannot be imported, "
                + refusal
                + (ElementConversion.isFloat(e.dtype())
                    ? ""
                    : "; ignore the tensor if it is not a weight"));
        continue;
      }
      long[] want = Arrays.stream(t.shape()).asLongStream().toArray();
      if (axes != null && axes.length != e.shape().length) {
        problems.add(
            arrow
                + ": transposing needs "
                + axes.length
                + " axes, the file tensor has shape "
                + e.shapeString());
        continue;
      }
      long[] got = axes == null ? e.shape() : permuted(e.shape(), axes);
      if (!Arrays.equals(want, got)) {
        StringBuilder s = new StringBuilder(arrow);
        s.append(": shape ").append(e.shapeString()).append(" in the file");
        if (axes != null) {
          s.append(" (").append(shapeString(got)).append(" transposed)");
        }
        s.append(", ").append(t.name()).append(" is ").append(t.dtype()).append(t.shapeString());
        if (axes == null && want.length == 2 && Arrays.equals(want, permuted(got, 1, 0))) {
          s.append("; it is stored transposed ([out, in], as PyTorch's Linear): transpose ");
          s.append(t.name());
        }
        problems.add(s.toString());
        continue;
      }
      plans.add(new Plan(e, t, axes));
    }
    if (!problems.isEmpty()) {
      throw new WeightImportException(file.toString(), spec.modelName(), problems);
    }

    // Everything fits: read into fresh arrays, then commit.
    Map<String, Object> values = new LinkedHashMap<>();
    List<Loaded> loaded = new ArrayList<>();
    for (Plan p : plans) {
      values.put(p.target().name(), read(ch, h, p, problems));
      loaded.add(new Loaded(p.entry().name(), p.target().name(), p.entry().dtype(), p.axes()));
    }
    if (!problems.isEmpty()) {
      throw new WeightImportException(file.toString(), spec.modelName(), problems);
    }
    for (TensorSpec t : importable) {
      Object dst = model.tensor(t.kind(), t.name());
      Object src = values.get(t.name());
      if (src == null) {
        zero(dst);
      } else {
        System.arraycopy(src, 0, dst, 0, java.lang.reflect.Array.getLength(src));
      }
    }
    model.steps(0);
    return new Result(loaded, ignoredNames, unused, zeroed, h.metadata);
  }

  /** Reads one tensor; an F64 value beyond the F32 range is added to {@code problems}. */
  private Object read(SeekableByteChannel ch, SafeTensorsHeader h, Plan p, List<String> problems)
      throws IOException {
    TensorSpec t = p.target();
    SafeTensorsHeader.Entry e = p.entry();
    int n = t.rowSize();
    Object flat =
        switch (t.dtype()) {
          case F32 -> new float[n];
          case F64 -> new double[n];
          case I32 -> new int[n];
        };
    int w = SafeTensorsHeader.width(e.dtype());
    ByteBuffer b = ByteBuffer.allocate(Math.min(1 << 20, Math.max(w, n * w)));
    b.order(ByteOrder.LITTLE_ENDIAN);
    int done = 0;
    boolean overflowed = false;
    while (done < n) {
      int count = Math.min(n - done, b.capacity() / w);
      b.clear().limit(count * w);
      SafeTensorsHeader.readFully(ch, b, h.dataStart + e.begin() + (long) done * w, file);
      b.flip();
      int overflow = ElementConversion.decode(b, e.dtype(), count, flat, done);
      if (overflow >= 0 && !overflowed) {
        overflowed = true;
        problems.add(
            "tensor '"
                + e.name()
                + "' -> "
                + t.name()
                + ": the F64 value at index "
                + overflow
                + " is beyond the F32 range");
      }
      done += count;
    }
    return p.axes() == null ? flat : permute(flat, e.shape(), p.axes());
  }

  /** {@code out[m] = in[f]} where the model's axis {@code i} is the file's axis {@code axes[i]}. */
  static Object permute(Object in, long[] fileShape, int[] axes) {
    int rank = fileShape.length;
    long[] fileStride = new long[rank];
    long s = 1;
    for (int i = rank - 1; i >= 0; i--) {
      fileStride[i] = s;
      s *= fileShape[i];
    }
    long[] shape = permuted(fileShape, axes);
    long[] stride = new long[rank];
    for (int i = 0; i < rank; i++) {
      stride[i] = fileStride[axes[i]];
    }
    int n = java.lang.reflect.Array.getLength(in);
    Object out = java.lang.reflect.Array.newInstance(in.getClass().getComponentType(), n);
    // Odometer over the model's index in row-major order, moving the file position along.
    long[] index = new long[rank];
    long from = 0;
    float[] fin = in instanceof float[] x ? x : null;
    float[] fout = out instanceof float[] x ? x : null;
    double[] din = in instanceof double[] x ? x : null;
    double[] dout = out instanceof double[] x ? x : null;
    for (int to = 0; to < n; to++) {
      if (fout != null) {
        fout[to] = fin[(int) from];
      } else if (dout != null) {
        dout[to] = din[(int) from];
      } else {
        ((int[]) out)[to] = ((int[]) in)[(int) from];
      }
      for (int a = rank - 1; a >= 0; a--) {
        index[a]++;
        from += stride[a];
        if (index[a] < shape[a]) {
          break;
        }
        from -= stride[a] * shape[a];
        index[a] = 0;
      }
    }
    return out;
  }

  static long[] permuted(long[] shape, int... axes) {
    long[] out = new long[axes.length];
    for (int i = 0; i < axes.length; i++) {
      out[i] = shape[axes[i]];
    }
    return out;
  }

  private static String shapeString(long[] shape) {
    return new SafeTensorsHeader.Entry("", "", shape, 0, 0).shapeString();
  }

  /** Unused file tensors of the parameter's shape (or its transpose), as a hint. */
  private static String candidates(
      TensorSpec t, List<String> unused, Map<String, SafeTensorsHeader.Entry> entries) {
    long[] want = Arrays.stream(t.shape()).asLongStream().toArray();
    List<String> fit = new ArrayList<>();
    for (String u : unused) {
      long[] got = entries.get(u).shape();
      if (Arrays.equals(want, got)
          || (want.length == 2 && got.length == 2 && Arrays.equals(want, permuted(got, 1, 0)))) {
        fit.add(u);
      }
    }
    return fit.isEmpty() ? "" : " (unused file tensors of a fitting shape: " + fit + ")";
  }

  private static String nearby(String name, java.util.Collection<String> names) {
    List<String> shown = names.stream().limit(8).toList();
    return shown.isEmpty()
        ? " (it has none)"
        : " (it has " + String.join(", ", shown) + (names.size() > 8 ? ", …" : "") + ")";
  }

  private static Pattern glob(String pattern) {
    StringBuilder r = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      switch (c) {
        case '*' -> r.append(".*");
        case '?' -> r.append('.');
        default -> r.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(r.toString());
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

  private static List<String> names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).toList();
  }
}
