package org.gradc.compiler.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradc.runtime.Model;
import org.gradc.runtime.io.WeightImport;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --import FILE} with its mapping options (a picocli mixin): weights from a safetensors file
 * another tool wrote, loaded by {@link WeightImport} instead of a gradc checkpoint.
 */
final class ImportOptions {
  @Option(
      names = "--import",
      paramLabel = "FILE",
      description = "weights from another tool's .safetensors file (e.g. a PyTorch state_dict)")
  Path file;

  @Option(
      names = "--map",
      paramLabel = "TENSOR=PARAM",
      description = "with --import: file tensor TENSOR goes to model tensor PARAM (repeatable)")
  List<String> map = new ArrayList<>();

  @Option(
      names = "--transpose",
      paramLabel = "PARAM",
      description = "with --import: PARAM is stored transposed ([out, in]) in the file")
  List<String> transpose = new ArrayList<>();

  @Option(
      names = "--ignore",
      paramLabel = "GLOB",
      description =
          "with --import: skip file tensors matching GLOB (* and ?), e.g. '*.num_batches_tracked'")
  List<String> ignore = new ArrayList<>();

  @Option(
      names = "--allow-unused",
      description = "with --import: file tensors the model does not take are not an error")
  boolean allowUnused;

  boolean given() {
    return file != null;
  }

  /** Rejects mapping options without {@code --import}, and malformed {@code --map}s (exit 2). */
  void check(CommandLine.Model.CommandSpec spec) {
    if (file == null
        && (!map.isEmpty() || !transpose.isEmpty() || !ignore.isEmpty() || allowUnused)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--map, --transpose, --ignore and --allow-unused need --import");
    }
    for (String m : map) {
      int eq = m.lastIndexOf('=');
      if (eq <= 0 || eq == m.length() - 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--map '" + m + "': expected FILE_TENSOR=MODEL_TENSOR");
      }
    }
  }

  /** The configured import. */
  WeightImport weightImport() {
    WeightImport w = WeightImport.from(file);
    for (String m : map) {
      int eq = m.lastIndexOf('=');
      w.map(m.substring(0, eq), m.substring(eq + 1));
    }
    transpose.forEach(w::transpose);
    ignore.forEach(w::ignore);
    if (allowUnused) {
      w.allowUnused();
    }
    return w;
  }

  /** Imports into {@code model}; returns the one-line summary. */
  String into(Model model) {
    return file + ": " + weightImport().into(model).summary();
  }
}
