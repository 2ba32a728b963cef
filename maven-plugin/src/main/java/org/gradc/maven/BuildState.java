package org.gradc.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the last build of one source root produced, kept in a small text file under {@code target/}
 * so that the next build recompiles only what changed: per model, the hash of its source, of every
 * file it depends on, of the options it was compiled with, and of every class file it produced;
 * and, for all of them, the fingerprint of the compiler.
 *
 * <p>The file is written only when its content changes, so a build with nothing to do touches no
 * file at all. A missing, unreadable or foreign file is an empty state: everything is rebuilt.
 *
 * <pre>
 * # gradc incremental build state ...
 * compiler TAB fingerprint
 * model TAB relative/path.grad TAB source-hash TAB options
 * dep TAB /absolute/path TAB hash
 * out TAB org/example/Xor.class TAB hash
 * </pre>
 */
final class BuildState {
  static final String HEADER =
      "# gradc incremental build state: delete this file to rebuild every model";

  /**
   * One model's record.
   *
   * @param options the compile options, as one string (precision, package)
   * @param dependencies other files it was compiled from, by absolute path, with their hashes
   * @param outputs the class files it produced, relative to the output folder, with their hashes
   */
  record Entry(
      String sourceHash,
      String options,
      SortedMap<String, String> dependencies,
      SortedMap<String, String> outputs) {
    Entry {
      dependencies = Collections.unmodifiableSortedMap(new TreeMap<>(dependencies));
      outputs = Collections.unmodifiableSortedMap(new TreeMap<>(outputs));
    }

    /**
     * Whether this record still describes the model: same source, same options, every dependency
     * and every output unchanged on disk.
     */
    boolean upToDate(String currentSourceHash, String currentOptions, Path outputDirectory) {
      if (!sourceHash.equals(currentSourceHash) || !options.equals(currentOptions)) {
        return false;
      }
      for (Map.Entry<String, String> dep : dependencies.entrySet()) {
        if (!dep.getValue().equals(Hashes.ofOrNull(Path.of(dep.getKey())))) {
          return false;
        }
      }
      for (Map.Entry<String, String> out : outputs.entrySet()) {
        if (!out.getValue().equals(Hashes.ofOrNull(outputDirectory.resolve(out.getKey())))) {
          return false;
        }
      }
      return true;
    }
  }

  private final String compiler;
  private final SortedMap<String, Entry> models;

  private BuildState(String compiler, SortedMap<String, Entry> models) {
    this.compiler = compiler;
    this.models = models;
  }

  static BuildState empty(String compiler) {
    return new BuildState(compiler, new TreeMap<>());
  }

  /**
   * Reads the state left by the last build with compiler {@code compiler}. A state written by
   * another compiler, or that cannot be read, is empty.
   */
  static BuildState load(Path file, String compiler) {
    if (!Files.isRegularFile(file)) {
      return empty(compiler);
    }
    try {
      BuildState read = parse(Files.readAllLines(file, StandardCharsets.UTF_8));
      return compiler.equals(read.compiler) ? read : empty(compiler);
    } catch (IOException | IllegalArgumentException e) {
      return empty(compiler);
    }
  }

  Entry get(String model) {
    return models.get(model);
  }

  void put(String model, Entry entry) {
    models.put(model, entry);
  }

  void remove(String model) {
    models.remove(model);
  }

  /** The models recorded, in order. */
  List<String> models() {
    return new ArrayList<>(models.keySet());
  }

  String compiler() {
    return compiler;
  }

  String render() {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    out.append("compiler\t").append(compiler).append('\n');
    for (Map.Entry<String, Entry> m : models.entrySet()) {
      Entry e = m.getValue();
      out.append("model\t")
          .append(m.getKey())
          .append('\t')
          .append(e.sourceHash())
          .append('\t')
          .append(e.options())
          .append('\n');
      e.dependencies()
          .forEach((k, v) -> out.append("dep\t").append(k).append('\t').append(v).append('\n'));
      e.outputs()
          .forEach((k, v) -> out.append("out\t").append(k).append('\t').append(v).append('\n'));
    }
    return out.toString();
  }

  /**
   * Writes the state to {@code file} unless it already holds exactly this content.
   *
   * @return whether the file was written
   */
  boolean save(Path file) throws IOException {
    byte[] bytes = render().getBytes(StandardCharsets.UTF_8);
    if (Files.isRegularFile(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
      return false;
    }
    writeAtomically(file, bytes);
    return true;
  }

  /** Writes through a temporary file, so a killed build never leaves half a file behind. */
  static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Files.write(tmp, bytes);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (java.nio.file.AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static BuildState parse(List<String> lines) {
    String compiler = null;
    SortedMap<String, Entry> models = new TreeMap<>();
    String model = null;
    String[] head = null;
    SortedMap<String, String> deps = new TreeMap<>();
    SortedMap<String, String> outs = new TreeMap<>();
    for (String line : lines) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (model == null && (f[0].equals("dep") || f[0].equals("out"))) {
        throw new IllegalArgumentException("a dep or out line before any model line");
      }
      switch (f[0]) {
        case "compiler" -> compiler = field(f, 1);
        case "model" -> {
          if (model != null) {
            models.put(model, new Entry(head[2], head[3], deps, outs));
          }
          head = new String[] {f[0], field(f, 1), field(f, 2), field(f, 3)};
          model = head[1];
          deps = new TreeMap<>();
          outs = new TreeMap<>();
        }
        case "dep" -> deps.put(field(f, 1), field(f, 2));
        case "out" -> outs.put(field(f, 1), field(f, 2));
        default -> throw new IllegalArgumentException("unknown line: " + line);
      }
    }
    if (model != null) {
      models.put(model, new Entry(head[2], head[3], deps, outs));
    }
    if (compiler == null) {
      throw new IllegalArgumentException("no compiler line");
    }
    return new BuildState(compiler, models);
  }

  private static String field(String[] fields, int i) {
    if (i >= fields.length) {
      throw new IllegalArgumentException("missing field " + i);
    }
    return fields[i];
  }
}
