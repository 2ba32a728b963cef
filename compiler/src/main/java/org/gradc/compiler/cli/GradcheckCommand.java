package org.gradc.compiler.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gradc.compiler.codegen.Precision;
import org.gradc.runtime.DType;
import org.gradc.runtime.Model;
import org.gradc.runtime.train.GradientCheck;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gradc gradcheck MODEL}: the generated gradients against central finite differences on
 * random inputs, per parameter, with the worst relative error. Compiles in f64 by default, where
 * finite differences are precise.
 */
@Command(
    name = "gradcheck",
    mixinStandardHelpOptions = true,
    description = {
      "Checks the generated gradients against finite differences on random inputs.",
      "Exit status: 0 gradients agree, 1 they disagree (or a bad model), 2 bad usage."
    })
final class GradcheckCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "the .grad file")
  Path model;

  @Option(
      names = "--batch",
      defaultValue = "4",
      description = "random examples (default ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--seed", defaultValue = "0", description = "seed of inputs and parameters")
  long seed;

  @Option(
      names = "--samples",
      defaultValue = "50",
      description = "elements checked per parameter (default ${DEFAULT-VALUE})")
  int samples;

  @Option(
      names = "--tolerance",
      description = "largest accepted relative error (default 1e-4 in f64, 5e-2 in f32)")
  Double tolerance;

  @Mixin ModelRun run;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (batch <= 0 || samples <= 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--batch and --samples must be positive");
    }
    return run.guard(
        spec.commandLine().getErr(),
        () -> {
          Model m = run.compile(model, Precision.F64);
          ModelRun.requireLoss(m, "it has no gradients to check");
          m.initialize(seed);
          GradientCheck.Report r = GradientCheck.run(m, batch, seed, samples);
          boolean f64 = m.spec().precision() == DType.F64;
          double tol = tolerance != null ? tolerance : f64 ? 1e-4 : 5e-2;
          out.print(r);
          boolean ok = r.worst() <= tol;
          out.printf(
              Locale.ROOT,
              "worst relative error %.2e (tolerance %.0e, %s): %s%n",
              r.worst(),
              tol,
              f64 ? "f64" : "f32",
              ok ? "gradients agree" : "GRADIENTS DISAGREE");
          out.flush();
          return ok ? 0 : 1;
        });
  }
}
