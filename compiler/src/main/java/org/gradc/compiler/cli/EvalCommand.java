package org.gradc.compiler.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.train.Metrics;
import org.gradc.runtime.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
  @Mixin TrainedModelOptions trained;

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
    trained.check(spec);
    if (batch <= 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be positive");
    }
    return run.guard(
        spec.commandLine().getErr(),
        () -> {
          TrainedModelOptions.Opened o =
              trained.open(run, m -> ModelRun.requireLoss(m, "it has nothing to evaluate"));
          Dataset d = o.data();
          Metrics metrics = Trainer.evaluate(o.model(), d, batch);
          out.printf(
              Locale.ROOT,
              "%s, %s set (%,d examples): %s%n",
              o.source().description(),
              trained.setName(o.source()),
              d.size(),
              metrics);
          out.flush();
          return 0;
        });
  }
}
