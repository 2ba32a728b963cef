package org.gradc.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Everything a caller may know about a compiled model: its name, precision, every named tensor
 * (inputs, parameters, outputs, gradients, optimizer state) and the fused optimizer with its
 * default hyper-parameters. Generated classes embed their spec as {@link #toText() text} and {@link
 * #parse parse} it once when loaded.
 *
 * @param hyperDefaults defaults of {@code optimizer.hyperParameters()}, in that order, as the model
 *     file set them
 */
public record ModelSpec(
    String modelName,
    DType precision,
    List<TensorSpec> tensors,
    OptimizerKind optimizer,
    double[] hyperDefaults) {

  public ModelSpec {
    tensors = List.copyOf(tensors);
    hyperDefaults = hyperDefaults.clone();
    if (hyperDefaults.length != optimizer.hyperParameters().size()) {
      throw new IllegalArgumentException("hyper-parameter count does not match " + optimizer);
    }
  }

  @Override
  public double[] hyperDefaults() {
    return hyperDefaults.clone();
  }

  /** The slot of a tensor: its index in {@link #tensors()}, or -1. */
  public int slot(TensorKind kind, String name) {
    for (int i = 0; i < tensors.size(); i++) {
      TensorSpec t = tensors.get(i);
      if (t.kind() == kind && (kind == TensorKind.GRADIENT ? t.of() : t.name()).equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Tensors of one kind, in declaration order. */
  public List<TensorSpec> ofKind(TensorKind kind) {
    return tensors.stream().filter(t -> t.kind() == kind).toList();
  }

  /** Total number of trainable scalars. */
  public long parameterCount() {
    return ofKind(TensorKind.PARAM).stream().mapToLong(TensorSpec::rowSize).sum();
  }

  /**
   * A fingerprint of everything that decides the layout of a checkpoint (names, kinds, types,
   * shapes, optimizer), as 8 hex digits. Two specs with the same fingerprint can exchange
   * checkpoints.
   */
  public String fingerprint() {
    StringBuilder s = new StringBuilder(modelName).append('|').append(precision).append('|');
    s.append(optimizer.displayName());
    for (TensorSpec t : tensors) {
      if (t.kind() == TensorKind.PARAM || t.kind() == TensorKind.STATE) {
        s.append('|').append(t.kind()).append(' ').append(t.name()).append(' ');
        s.append(t.dtype()).append(Arrays.toString(t.shape()));
      }
    }
    CRC32 crc = new CRC32();
    crc.update(s.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return String.format("%08x", crc.getValue());
  }

  /** A stable, line-based text form; {@link #parse} reads it back. */
  public String toText() {
    StringBuilder s = new StringBuilder();
    s.append("model ").append(modelName).append('\n');
    s.append("precision ").append(precision).append('\n');
    s.append("optimizer ").append(optimizer.displayName());
    for (int i = 0; i < hyperDefaults.length; i++) {
      s.append(' ').append(optimizer.hyperParameters().get(i).name()).append('=');
      s.append(Double.toString(hyperDefaults[i]));
    }
    s.append('\n');
    for (TensorSpec t : tensors) {
      s.append("tensor ").append(t.kind()).append(' ').append(t.name()).append(' ');
      s.append(t.dtype()).append(' ');
      int[] shape = t.shape();
      for (int i = 0; i < shape.length; i++) {
        s.append(i > 0 ? "," : "").append(shape[i]);
      }
      if (shape.length == 0) {
        s.append("scalar");
      }
      s.append(" of=").append(t.of());
      s.append(" init=").append(initText(t.init()));
      s.append(" classes=").append(t.classes()).append('\n');
    }
    return s.toString();
  }

  private static String initText(Init init) {
    if (init == null) {
      return "-";
    }
    StringBuilder s = new StringBuilder(init.initializer().displayName());
    for (int i = 0; i < init.args().size(); i++) {
      s.append(i == 0 ? ':' : ',').append(Double.toString(init.args().get(i)));
    }
    return s.toString();
  }

  /** Reads the form written by {@link #toText()}. */
  public static ModelSpec parse(String text) {
    String name = null;
    DType precision = null;
    OptimizerKind optimizer = null;
    double[] hyper = null;
    List<TensorSpec> tensors = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] w = line.trim().split(" ");
      switch (w[0]) {
        case "model" -> name = w[1];
        case "precision" -> precision = DType.valueOf(w[1]);
        case "optimizer" -> {
          optimizer = OptimizerKind.byName(w[1]);
          if (optimizer == null) {
            throw new IllegalArgumentException("unknown optimizer in spec: " + w[1]);
          }
          Map<String, Double> given = new LinkedHashMap<>();
          for (int i = 2; i < w.length; i++) {
            String[] kv = w[i].split("=", 2);
            given.put(kv[0], Double.parseDouble(kv[1]));
          }
          hyper = new double[optimizer.hyperParameters().size()];
          for (int i = 0; i < hyper.length; i++) {
            OptimizerKind.HyperParameter h = optimizer.hyperParameters().get(i);
            hyper[i] = given.getOrDefault(h.name(), h.defaultValue());
          }
        }
        case "tensor" -> tensors.add(parseTensor(w));
        default -> throw new IllegalArgumentException("bad spec line: " + line);
      }
    }
    if (name == null || precision == null || optimizer == null) {
      throw new IllegalArgumentException("incomplete spec");
    }
    return new ModelSpec(name, precision, tensors, optimizer, hyper);
  }

  private static TensorSpec parseTensor(String[] w) {
    TensorKind kind = TensorKind.valueOf(w[1]);
    String name = w[2];
    DType dtype = DType.valueOf(w[3]);
    int[] shape =
        w[4].equals("scalar")
            ? new int[0]
            : Arrays.stream(w[4].split(",")).mapToInt(Integer::parseInt).toArray();
    String of = w[5].substring("of=".length());
    String init = w[6].substring("init=".length());
    int classes = Integer.parseInt(w[7].substring("classes=".length()));
    return new TensorSpec(name, kind, dtype, shape, of, parseInit(init), classes);
  }

  private static Init parseInit(String text) {
    if (text.equals("-")) {
      return null;
    }
    String[] parts = text.split(":", 2);
    Initializer initializer = Initializer.byName(parts[0]);
    if (initializer == null) {
      throw new IllegalArgumentException("unknown initializer in spec: " + parts[0]);
    }
    List<Double> args = new ArrayList<>();
    if (parts.length > 1) {
      for (String a : parts[1].split(",")) {
        args.add(Double.parseDouble(a));
      }
    }
    return new Init(initializer, args);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelSpec m && toText().equals(m.toText());
  }

  @Override
  public int hashCode() {
    return toText().hashCode();
  }
}
