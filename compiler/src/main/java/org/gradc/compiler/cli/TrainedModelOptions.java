package org.gradc.compiler.cli;

import java.nio.file.Path;
import org.gradc.compiler.codegen.Precision;
import org.gradc.runtime.Model;
import org.gradc.runtime.data.DataSource;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.io.Checkpoint;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code eval} and {@code predict} share: a model file, the checkpoint to load into it (or the
 * weights to {@code --import} from another tool), the data and which of its sets to use. A picocli
 * mixin; {@link #open} does the common work once the options are parsed.
 */
final class TrainedModelOptions {
  @Parameters(index = "0", paramLabel = "MODEL", description = "the .grad file")
  Path model;

  @Option(names = "--load", paramLabel = "CKPT", description = "the checkpoint")
  Path load;

  @Mixin ImportOptions imports;

  @Option(names = "--data", required = true, paramLabel = "SPEC", description = "as for train")
  String data;

  @Option(
      names = "--on",
      defaultValue = "test",
      paramLabel = "test|train",
      description = "which set")
  String on;

  /** The compiled model with the checkpoint loaded, and the chosen set shaped for it. */
  record Opened(Model model, DataSource source, Dataset data) {}

  /** Rejects a bad {@code --on}, and anything but one of --load and --import, as bad usage. */
  void check(CommandLine.Model.CommandSpec spec) {
    imports.check(spec);
    if ((load == null) == !imports.given()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "expected one of --load CKPT and --import FILE");
    }
    if (!on.equals("test") && !on.equals("train")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--on '" + on + "': expected test or train");
    }
  }

  /**
   * Compiles the model, loads the checkpoint and opens the data. {@code require} runs on the
   * compiled model before anything is loaded (e.g. to insist on a loss).
   */
  Opened open(ModelRun run, java.util.function.Consumer<Model> require) throws Exception {
    Model m = run.compile(model, Precision.F32);
    require.accept(m);
    if (load != null) {
      Checkpoint.load(m, load);
    } else {
      imports.weightImport().into(m);
    }
    DataSource source = ModelRun.data(data, m);
    return new Opened(m, source, pick(source).forModel(m.spec()));
  }

  /** The test set unless {@code --on train} or the data has none. */
  Dataset pick(DataSource s) {
    return on.equals("train") || s.test() == null ? s.train() : s.test();
  }

  String setName(DataSource s) {
    return on.equals("train") || s.test() == null ? "training" : "test";
  }
}
