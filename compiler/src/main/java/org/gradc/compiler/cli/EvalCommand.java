package org.gradc.compiler.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gradc.compiler.codegen.Precision;
import org.gradc.runtime.Model;
import org.gradc.runtime.data.DataSource;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.io.Checkpoint;
import org.gradc.runtime.train.Metrics;
import org.gradc.runtime.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gradc eval MODEL --load CKPT --data SPEC}: loss (and accuracy) of a trained model. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluates a trained model: loss, and accuracy for classifiers.",
      "Uses the data's test set when it has one (--on train to evaluate the training set).",
      "Exit status: 0 done, 1 bad model, data or checkpoint, 2 bad usage."
    })
final class EvalCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "the .grad file")
  Path model;

  @Option(names = "--load", required = true, paramLabel = "CKPT", description = "the checkpoint")
  Path load;

  @Option(names = "--data", required = true, paramLabel = "SPEC", description = "as for train")
  String data;

  @Option(
      names = "--on",
      defaultValue = "test",
      paramLabel = "test|train",
      description = "which set")
  String on;

  @Option(
      names = "--batch",
      defaultValue = "256",
      description = "batch size (default ${DEFAULT-VALUE})")
  int batch;

  @Mixin ModelRun run;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Sets.check(spec, on, batch);
    return run.guard(
        spec.commandLine().getErr(),
        () -> {
          Model m = run.compile(model, Precision.F32);
          ModelRun.requireLoss(m, "it has nothing to evaluate");
          Checkpoint.load(m, load);
          DataSource source = ModelRun.data(data, m);
          Dataset d = Sets.pick(source, on).forModel(m.spec());
          Metrics metrics = Trainer.evaluate(m, d, batch);
          out.printf(
              Locale.ROOT,
              "%s, %s set (%,d examples): %s%n",
              source.description(),
              Sets.name(source, on),
              d.size(),
              metrics);
          out.flush();
          return 0;
        });
  }

  /** Choosing between a source's test and training set. */
  static final class Sets {
    private Sets() {}

    static void check(CommandLine.Model.CommandSpec spec, String on, int batch) {
      if (!on.equals("test") && !on.equals("train")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--on '" + on + "': expected test or train");
      }
      if (batch <= 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be positive");
      }
    }

    static Dataset pick(DataSource s, String on) {
      return on.equals("train") || s.test() == null ? s.train() : s.test();
    }

    static String name(DataSource s, String on) {
      return on.equals("train") || s.test() == null ? "training" : "test";
    }
  }
}
