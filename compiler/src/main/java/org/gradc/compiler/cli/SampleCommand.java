package org.gradc.compiler.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.gradc.compiler.codegen.Precision;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.gradc.runtime.io.Checkpoint;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gradc sample MODEL --load CKPT}: new words from a trained byte-level language model (one
 * trained on {@code --data text:FILE?length=T}). The model needs an int input {@code [batch, T]} of
 * byte ids and a first output holding logits {@code [batch, T, V]}, one row per position. Each word
 * starts as the byte {@code \n}; at every step the model runs forward on the prefix (zero-padded to
 * T) and the next byte is drawn from {@code softmax(logits / temperature)} at the prefix's last
 * position, until it draws {@code \n} or 0 or the prefix fills T. All words are drawn together, one
 * batch row each, from a {@link SplittableRandom} seeded by {@code --seed}.
 */
@Command(
    name = "sample",
    mixinStandardHelpOptions = true,
    description = {
      "Prints new words sampled byte by byte from a trained byte-level language model",
      "(an int input [batch, T] of bytes, a first output of logits [batch, T, V]).",
      "Exit status: 0 done, 1 bad model or checkpoint, 2 bad usage."
    })
final class SampleCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "the .grad file")
  Path model;

  @Option(names = "--load", required = true, paramLabel = "CKPT", description = "the checkpoint")
  Path load;

  @Option(
      names = "--temperature",
      defaultValue = "1.0",
      description = "divides the logits: lower is more conservative (default ${DEFAULT-VALUE})")
  double temperature;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "random seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--count", defaultValue = "10", description = "words (default ${DEFAULT-VALUE})")
  int count;

  @Mixin ModelRun run;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (!(temperature > 0) || count < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--temperature must be > 0 and --count at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    return run.guard(
        spec.commandLine().getErr(),
        () -> {
          Model m = run.compile(model, Precision.F32);
          Checkpoint.load(m, load);
          for (String word : sample(m, count, temperature, seed)) {
            out.println(word);
          }
          out.flush();
          return 0;
        });
  }

  /** {@code count} words from {@code m}, as described in the class comment. */
  static String[] sample(Model m, int count, double temperature, long seed) {
    TensorSpec in = null;
    for (TensorSpec t : m.spec().ofKind(TensorKind.INPUT)) {
      if (t.dtype() == org.gradc.runtime.DType.I32 && t.shape().length == 2 && t.batched()) {
        in = t;
        break;
      }
    }
    if (in == null || m.spec().ofKind(TensorKind.OUTPUT).isEmpty()) {
      throw new ModelRun.UserError(
          m.spec().modelName()
              + " is not a byte-level language model: it needs an int input [batch, T] and an"
              + " output of logits [batch, T, V]");
    }
    int steps = in.shape()[1];
    TensorSpec logits = m.spec().ofKind(TensorKind.OUTPUT).get(0);
    if (logits.rowSize() % steps != 0 || logits.rowSize() / steps < 11) {
      throw new ModelRun.UserError(
          "output '"
              + logits.name()
              + "' is not logits [batch, "
              + steps
              + ", V] over bytes: "
              + Arrays.toString(logits.shape()));
    }
    int vocab = logits.rowSize() / steps;
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] ids = new int[count * steps];
    int[] length = new int[count];
    boolean[] done = new boolean[count];
    for (int w = 0; w < count; w++) {
      ids[w * steps] = '\n';
      length[w] = 1;
    }
    double[] p = new double[vocab];
    for (int step = 0; step < steps; step++) {
      m.feed(in.name(), ids);
      m.forward();
      float[] y = m.output(logits.name());
      for (int w = 0; w < count; w++) {
        if (done[w]) {
          continue;
        }
        int at = (w * steps + length[w] - 1) * vocab;
        int next = draw(y, at, p, temperature, rnd);
        if (next == '\n' || next == 0 || length[w] == steps) {
          done[w] = true;
        } else {
          ids[w * steps + length[w]++] = next;
        }
      }
    }
    String[] words = new String[count];
    for (int w = 0; w < count; w++) {
      byte[] b = new byte[length[w] - 1];
      for (int i = 1; i < length[w]; i++) {
        b[i - 1] = (byte) ids[w * steps + i];
      }
      words[w] = new String(b, StandardCharsets.UTF_8);
    }
    return words;
  }

  /** An index drawn from {@code softmax(y[at .. at + p.length) / temperature)}. */
  private static int draw(float[] y, int at, double[] p, double temperature, SplittableRandom r) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < p.length; j++) {
      max = Math.max(max, y[at + j] / temperature);
    }
    double total = 0;
    for (int j = 0; j < p.length; j++) {
      p[j] = Math.exp(y[at + j] / temperature - max);
      total += p[j];
    }
    double u = r.nextDouble() * total;
    for (int j = 0; j < p.length; j++) {
      u -= p[j];
      if (u < 0) {
        return j;
      }
    }
    return p.length - 1;
  }
}
