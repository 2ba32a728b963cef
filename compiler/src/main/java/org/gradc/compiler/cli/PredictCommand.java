package org.gradc.compiler.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.gradc.runtime.data.Column;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.FloatColumn;
import org.gradc.runtime.data.IntColumn;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gradc predict MODEL --load CKPT --data SPEC}: runs inference and prints one CSV row per
 * example: for a classifier the predicted class, its probability and the true label; otherwise the
 * values of the first output.
 */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a trained model on data and prints its predictions as CSV.",
      "Exit status: 0 done, 1 bad model, data or checkpoint, 2 bad usage."
    })
final class PredictCommand implements Callable<Integer> {
  @Mixin TrainedModelOptions trained;

  @Option(
      names = "--limit",
      defaultValue = "20",
      description = "rows to print (default ${DEFAULT-VALUE})")
  int limit;

  @Mixin ModelRun run;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    trained.check(spec);
    return run.guard(
        spec.commandLine().getErr(),
        () -> {
          TrainedModelOptions.Opened o = trained.open(run, m -> {});
          Model m = o.model();
          Dataset d = o.data();
          int n = Math.min(limit, d.size());
          d = d.slice(0, n);
          TensorSpec output = m.spec().ofKind(TensorKind.OUTPUT).get(0);
          d.requireInputs(m.spec(), "data");
          TensorSpec label = null;
          for (TensorSpec in : m.spec().ofKind(TensorKind.INPUT)) {
            Column c = d.column(in.name());
            if (c instanceof FloatColumn f) {
              m.feed(in.name(), f.data());
            } else {
              m.feed(in.name(), ((IntColumn) c).data());
              if (in.classes() > 0 && output.rowSize() == in.classes()) {
                label = in;
              }
            }
          }
          m.forward();
          float[] y = m.output(output.name());
          int k = output.rowSize();
          if (label != null) {
            int[] truth = ((IntColumn) d.column(label.name())).data();
            out.println("row,predicted,probability," + label.name());
            for (int r = 0; r < n; r++) {
              int best = 0;
              for (int j = 1; j < k; j++) {
                if (y[r * k + j] > y[r * k + best]) {
                  best = j;
                }
              }
              out.printf(Locale.ROOT, "%d,%d,%.4f,%d%n", r, best, y[r * k + best], truth[r]);
            }
          } else {
            StringBuilder head = new StringBuilder("row");
            for (int j = 0; j < k; j++) {
              head.append(',').append(output.name()).append(k == 1 ? "" : "[" + j + "]");
            }
            out.println(head);
            for (int r = 0; r < n; r++) {
              StringBuilder row = new StringBuilder(Integer.toString(r));
              for (int j = 0; j < k; j++) {
                row.append(',').append(y[r * k + j]);
              }
              out.println(row);
            }
          }
          out.flush();
          return 0;
        });
  }
}
