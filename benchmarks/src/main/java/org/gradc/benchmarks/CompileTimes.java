package org.gradc.benchmarks;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.gradc.compiler.Compilation;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.HiddenClasses;
import org.gradc.compiler.codegen.MethodSizes;
import org.gradc.compiler.diag.SourceFile;

/**
 * In-memory compile times ({@link Gradc#compile(String)}: parse, autodiff, optimize, generate and
 * define the class): the Fashion-MNIST MLP and CNN, and generated stacks of 1, 10 and 50 tanh dense
 * layers (width 64, MSE, Adam), to show how compile time grows with model size; then the unrolled
 * Names LSTM (issue 12, {@code examples/.../Names.grad}) at T = 8, 32 and 128, phase by phase.
 *
 * <p>Method: each model is compiled once cold (the first compilation of that model in this JVM,
 * though after the MLP warmed the compiler itself), then {@code --warmup} times untimed and {@code
 * --runs} times timed; the median and best of the timed runs are printed. The Names table times
 * each stage of a {@link Compilation} (check, differentiate, optimize, generate the class, define
 * it as a hidden class and instantiate it) for the first compilation of each T in this JVM ("cold")
 * and the median of {@code --seq-runs} more ("warm"), in wall and this thread's CPU milliseconds,
 * with the class size and its largest method; {@code --only names} skips the dense table.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.CompileTimes [--warmup 5] [--runs 10] [--seq-runs 3] [--only names]
 * </pre>
 */
public final class CompileTimes {
  private CompileTimes() {}

  public static void main(String[] args) throws Exception {
    int warmup = 5;
    int runs = 10;
    int seqRuns = 3;
    boolean namesOnly = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--seq-runs" -> seqRuns = Integer.parseInt(args[++i]);
        case "--only" -> namesOnly = args[++i].equals("names");
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (!namesOnly) {
      dense(warmup, runs);
    }
    names(seqRuns);
  }

  private static void dense(int warmup, int runs) throws Exception {
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

  static final String NAMES_RESOURCE = "/org/gradc/examples/Names.grad";

  private static final String[] STAGES = {"check", "diff", "optimize", "generate", "define"};

  /** The Names LSTM at T = 8, 32, 128: stage times cold and warm, class size. */
  private static void names(int runs) throws Exception {
    String source;
    try (InputStream in = CompileTimes.class.getResourceAsStream(NAMES_RESOURCE)) {
      source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!source.contains("const T = 16")) {
      throw new IllegalStateException(NAMES_RESOURCE + " no longer says const T = 16");
    }
    System.out.printf(
        Locale.ROOT,
        "%nNames LSTM (H = 128), ms per stage, wall / this thread's CPU%n"
            + "%-4s %-5s %13s %13s %13s %13s %13s %13s %11s %8s %7s%n",
        "T",
        "run",
        STAGES[0],
        STAGES[1],
        STAGES[2],
        STAGES[3],
        STAGES[4],
        "total",
        "class (B)",
        "methods",
        "largest");
    for (int t : new int[] {8, 32, 128}) {
      String model = source.replace("const T = 16", "const T = " + t);
      Stages cold = stages(model);
      cold.print(t, "cold");
      Stages[] warm = new Stages[runs];
      for (int r = 0; r < runs; r++) {
        warm[r] = stages(model);
      }
      if (runs > 0) {
        Arrays.sort(warm, (a, b) -> Double.compare(a.wall[5], b.wall[5]));
        warm[runs / 2].print(t, "warm");
      }
    }
  }

  /** One compilation's stage times (the last entry is the total) and what it produced. */
  private record Stages(double[] wall, double[] cpu, int bytes, int methods, int largest) {
    void print(int t, String run) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-4d %-5s", t, run));
      for (int i = 0; i < wall.length; i++) {
        line.append(String.format(Locale.ROOT, " %6.0f/%6.0f", wall[i], cpu[i]));
      }
      line.append(String.format(Locale.ROOT, " %11d %8d %7d", bytes, methods, largest));
      System.out.println(line);
    }
  }

  private static Stages stages(String source) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Compilation c =
        Compilation.of(
            new SourceFile("Names.grad", source),
            Gradc.Options.defaults().withPackage(HiddenClasses.PACKAGE));
    double[] wall = new double[6];
    double[] cpu = new double[6];
    long w = System.nanoTime();
    long u = threads.getCurrentThreadCpuTime();
    long w0 = w;
    long u0 = u;
    GeneratedClass generated = null;
    for (int stage = 0; stage < 5; stage++) {
      switch (stage) {
        case 0 -> c.checked();
        case 1 -> c.differentiated();
        case 2 -> c.optimized();
        case 3 -> generated = c.generate();
        default -> HiddenClasses.instantiate(generated);
      }
      long w1 = System.nanoTime();
      long u1 = threads.getCurrentThreadCpuTime();
      wall[stage] = (w1 - w) / 1e6;
      cpu[stage] = (u1 - u) / 1e6;
      w = w1;
      u = u1;
    }
    wall[5] = (w - w0) / 1e6;
    cpu[5] = (u - u0) / 1e6;
    var sizes = MethodSizes.of(generated.bytes());
    int largest = sizes.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    return new Stages(wall, cpu, generated.bytes().length, sizes.size(), largest);
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
