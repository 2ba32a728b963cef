package org.gradc.benchmarks;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.gradc.compiler.Gradc;

/**
 * In-memory compile times ({@link Gradc#compile(String)}: parse, autodiff, optimize, generate and
 * define the class): the Fashion-MNIST MLP and CNN, and generated stacks of 1, 10 and 50 tanh dense
 * layers (width 64, MSE, Adam), to show how compile time grows with model size.
 *
 * <p>Method: each model is compiled once cold (the first compilation of that model in this JVM,
 * though after the MLP warmed the compiler itself), then {@code --warmup} times untimed and {@code
 * --runs} times timed; the median and best of the timed runs are printed.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.CompileTimes [--warmup 5] [--runs 10]
 * </pre>
 */
public final class CompileTimes {
  private CompileTimes() {}

  public static void main(String[] args) throws Exception {
    int warmup = 5;
    int runs = 10;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String mlp;
    try (InputStream in = CompileTimes.class.getResourceAsStream(TrainStepBench.MODEL_RESOURCE)) {
      mlp = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    System.out.printf(
        Locale.ROOT, "%-24s %10s %12s %10s%n", "model", "cold (ms)", "median (ms)", "best (ms)");
    report("FashionMlp.grad", mlp, warmup, runs);
    try (InputStream in =
        CompileTimes.class.getResourceAsStream("/org/gradc/examples/FashionCnn.grad")) {
      report(
          "FashionCnn.grad", new String(in.readAllBytes(), StandardCharsets.UTF_8), warmup, runs);
    }
    for (int layers : new int[] {1, 10, 50}) {
      report(layers + " dense layers", denseStack(layers, 64), warmup, runs);
    }
  }

  private static void report(String name, String source, int warmup, int runs) throws Exception {
    double cold = time(source);
    for (int i = 0; i < warmup; i++) {
      time(source);
    }
    double[] t = new double[runs];
    for (int i = 0; i < runs; i++) {
      t[i] = time(source);
    }
    Arrays.sort(t);
    System.out.printf(Locale.ROOT, "%-24s %10.1f %12.1f %10.1f%n", name, cold, t[runs / 2], t[0]);
  }

  private static double time(String source) throws Exception {
    long start = System.nanoTime();
    Gradc.compile(source);
    return (System.nanoTime() - start) / 1e6;
  }

  /** A model of {@code layers} tanh dense layers of {@code width} units, MSE loss, Adam. */
  static String denseStack(int layers, int width) {
    StringBuilder s = new StringBuilder();
    s.append("model Dense").append(layers).append('\n');
    s.append("input x: float[batch, ").append(width).append("]\n");
    s.append("input y: float[batch, ").append(width).append("]\n");
    for (int l = 1; l <= layers; l++) {
      s.append(
          String.format(
              Locale.ROOT, "param W%d: float[%d, %d] = glorot_uniform%n", l, width, width));
      s.append(String.format(Locale.ROOT, "param b%d: float[%d] = zeros%n", l, width));
    }
    String prev = "x";
    for (int l = 1; l <= layers; l++) {
      s.append(String.format(Locale.ROOT, "h%d = tanh(%s @ W%d + b%d)%n", l, prev, l, l));
      prev = "h" + l;
    }
    s.append("output out = ").append(prev).append('\n');
    s.append("loss mse(").append(prev).append(", y)\n");
    s.append("optimizer adam(lr = 0.001)\n");
    return s.toString();
  }
}
