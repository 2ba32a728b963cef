package org.gradc.compiler.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gradc.compiler.codegen.Precision;
import org.gradc.runtime.Model;
import org.gradc.runtime.data.DataSource;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.io.Provenance;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.LrSchedule;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;
import org.gradc.runtime.train.Warmup;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gradc train MODEL --data SPEC}: compiles the model in memory and trains it, with progress
 * on stderr, validation on the data's test set (or a split of the training data), and optional
 * checkpoint, history CSV and SVG plot.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Compiles a .grad model in memory and trains it.",
      "--data: synthetic:xor|spirals|linear[?n=N&noise=X&seed=S&classes=K],"
          + " csv:FILE?label=COL (or target=COL), text:FILE?length=T,"
          + " idx:IMAGES,LABELS[?scale=255], fashion-mnist[:DIR].",
      "Exit status: 0 trained, 1 bad model, data or checkpoint, or a diverging loss, 2 bad usage."
    })
final class TrainCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "the .grad file")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "SPEC", description = "the data")
  String data;

  @Option(
      names = "--epochs",
      defaultValue = "10",
      description = "epochs (default ${DEFAULT-VALUE})")
  int epochs;

  @Option(
      names = "--batch",
      defaultValue = "64",
      description = "batch size (default ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--lr", description = "learning rate (default: the model's)")
  Double lr;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "seed of initialization and shuffling (default ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--threads",
      defaultValue = "1",
      paramLabel = "K",
      description =
          "training threads: each step's large products split across K threads, results"
              + " bit-identical to one thread (default ${DEFAULT-VALUE})")
  int threads;

  @Option(
      names = "--data-parallel",
      description =
          "with --threads K: data-parallel instead (each batch split over K model replicas,"
              + " gradients summed in a fixed order; what gradc-spark reproduces)")
  boolean dataParallel;

  @Option(
      names = "--schedule",
      defaultValue = "constant",
      paramLabel = "S",
      description = "constant, step:EVERY:GAMMA or cosine[:MIN] (default ${DEFAULT-VALUE})")
  String schedule;

  @Option(
      names = "--validation-split",
      paramLabel = "F",
      description = "hold out this fraction for validation when the data has no test set")
  Double validationSplit;

  @Option(
      names = "--patience",
      paramLabel = "N",
      description = "stop when val_loss has not improved for N epochs")
  Integer patience;

  @Option(
      names = "--progress",
      defaultValue = "auto",
      paramLabel = "auto|bar|lines|none",
      description = "progress output on stderr (default ${DEFAULT-VALUE}: a bar on a terminal)")
  String progress;

  @Option(names = "--save", paramLabel = "CKPT", description = "checkpoint after every epoch")
  Path save;

  @Option(names = "--resume", paramLabel = "CKPT", description = "continue a saved run")
  Path resume;

  @Option(
      names = "--warmup",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "compile the model's kernels on the other core while the data loads, by training a"
              + " copy on zeros (default: on; --no-warmup turns it off)")
  boolean warmup;

  @Mixin ImportOptions imports;

  @Option(names = "--history", paramLabel = "CSV", description = "write per-epoch metrics")
  Path historyCsv;

  @Option(names = "--plot", paramLabel = "SVG", description = "write loss/accuracy curves")
  Path plot;

  @Mixin ModelRun run;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LrSchedule lrSchedule = parseSchedule(schedule);
    Progress mode = parseProgress(progress);
    if (epochs <= 0 || batch <= 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--epochs and --batch must be positive");
    }
    imports.check(spec);
    if (imports.given() && resume != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--import starts from another tool's weights, --resume from a run:" + " give one");
    }
    return run.guard(
        err,
        () -> {
          Model m = run.compile(model, Precision.F32);
          ModelRun.requireLoss(m, "it cannot be trained");
          m.initialize(seed);
          if (imports.given()) {
            err.println(imports.into(m));
          }
          try (Warmup jit = warmup ? Warmup.start(m, batch) : Warmup.none()) {
            return train(m, jit, lrSchedule, mode, out, err);
          }
        });
  }

  /** Loads the data while {@code jit} warms the kernels up, stops it, then trains. */
  private int train(
      Model m, Warmup jit, LrSchedule lrSchedule, Progress mode, PrintWriter out, PrintWriter err) {
    DataSource source = ModelRun.data(data, m);
    Dataset train = source.train().forModel(m.spec());
    Dataset validation = source.test() == null ? null : source.test().forModel(m.spec());
    if (validationSplit != null) {
      Dataset.Split s = train.split(validationSplit, seed);
      train = s.train();
      validation = s.validation();
    }
    Trainer t =
        Trainer.of(m)
            .epochs(epochs)
            .batchSize(batch)
            .shuffle(seed)
            .threads(threads)
            .schedule(lrSchedule)
            .progress(mode, ModelRun.stream(err))
            .provenance(new Provenance(ModelRun.sourceHash(model), Version.current(), seed, null));
    if (dataParallel) {
      t.dataParallel(threads);
    }
    if (lr != null) {
      t.lr(lr);
    }
    if (validation != null) {
      t.validate(validation);
    }
    if (patience != null) {
      t.earlyStopping(patience);
    }
    if (save != null) {
      t.checkpoint(save);
    }
    if (resume != null) {
      t.resume(resume);
    }
    out.printf(
        Locale.ROOT,
        "training %s (%,d parameters) on %s: %,d examples%s%n",
        m.spec().modelName(),
        m.spec().parameterCount(),
        source.description(),
        train.size(),
        validation == null ? "" : String.format(", validating on %,d", validation.size()));
    out.flush();
    jit.close();
    long t0 = System.nanoTime();
    History h = t.fit(train);
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (historyCsv != null) {
      h.writeCsv(historyCsv);
    }
    if (plot != null) {
      h.writeSvg(plot);
    }
    out.printf(
        Locale.ROOT,
        "%d epochs in %.1f s: %s%n",
        h.size(),
        seconds,
        h.size() == 0 ? "nothing to do" : h.last().toString().replaceAll("  seconds .*$", ""));
    if (save != null) {
      out.println("saved " + save);
    }
    out.flush();
    return 0;
  }

  private LrSchedule parseSchedule(String s) {
    String[] p = s.split(":");
    try {
      switch (p[0]) {
        case "constant":
          if (p.length == 1) {
            return LrSchedule.constant();
          }
          break;
        case "step":
          if (p.length == 3) {
            return LrSchedule.step(Integer.parseInt(p[1]), Double.parseDouble(p[2]));
          }
          break;
        case "cosine":
          if (p.length <= 2) {
            return LrSchedule.cosine(p.length == 2 ? Double.parseDouble(p[1]) : 0);
          }
          break;
        default:
          break;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "--schedule '" + s + "': expected constant, step:EVERY:GAMMA or cosine[:MIN]");
  }

  private Progress parseProgress(String s) {
    for (Progress p : Progress.values()) {
      if (p.name().equalsIgnoreCase(s)) {
        return p;
      }
    }
    throw new CommandLine.ParameterException(
        spec.commandLine(), "--progress '" + s + "': expected auto, bar, lines or none");
  }
}
