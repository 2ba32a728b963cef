package org.gradc.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.gradc.compiler.Gradc;
import org.gradc.runtime.DType;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;

/**
 * The cost of the backward pass: for each model, the time of {@link Model#lossAndGradients}
 * (forward + backward) over the time of {@link Model#forward} on the same batch. The textbook ideal
 * is about 2-3x; a naive reverse pass is often far worse.
 *
 * <p>Method: random inputs (uniform floats in [-1, 1), labels uniform over the classes) of {@code
 * --batch} rows; every pass warmed up first; then {@code --rounds} rounds, each timing a block of
 * forward passes and then a block of gradient passes (interleaved, so load changes hit both); the
 * best round's mean per call is reported for each.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.CostRatios [--batch 64] [--rounds 15] [FILE.grad | DIR]...
 * </pre>
 *
 * Without files it measures examples/src/main/grad/org/gradc/examples and the benchmark models (run
 * from the repository root).
 */
public final class CostRatios {
  private CostRatios() {}

  public static void main(String[] args) throws Exception {
    int batch = 64;
    int rounds = 15;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> files.addAll(gradFiles(Path.of(args[i])));
      }
    }
    if (files.isEmpty()) {
      files.addAll(gradFiles(Path.of("examples/src/main/grad/org/gradc/examples")));
      files.addAll(gradFiles(Path.of("benchmarks/src/main/resources/org/gradc/benchmarks")));
    }
    System.out.printf(
        Locale.ROOT,
        "%-22s %6s %14s %14s %8s%n",
        "model",
        "batch",
        "forward (us)",
        "grads (us)",
        "ratio");
    for (Path f : files) {
      Model m = Gradc.compile(f);
      double[] t = measure(m, batch, rounds);
      System.out.printf(
          Locale.ROOT,
          "%-22s %6d %14.2f %14.2f %8.2f%n",
          f.getFileName(),
          batch,
          t[0] * 1e6,
          t[1] * 1e6,
          t[1] / t[0]);
    }
  }

  private static List<Path> gradFiles(Path p) throws Exception {
    if (!Files.isDirectory(p)) {
      return List.of(p);
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.filter(f -> f.toString().endsWith(".grad")).sorted().toList();
    }
  }

  /** Seconds per forward pass and per gradient pass, best round of each. */
  static double[] measure(Model m, int batch, int rounds) {
    feedRandom(m, batch, new SplittableRandom(1));
    // calls per timed block: about 20 ms of forward passes at the warm speed
    long t0 = System.nanoTime();
    for (int i = 0; i < 200; i++) {
      m.forward();
      m.lossAndGradients();
    }
    double perPair = (System.nanoTime() - t0) / 200e9;
    int calls = (int) Math.max(10, Math.min(1_000_000, 0.02 / perPair));
    double bestForward = Double.MAX_VALUE;
    double bestGradients = Double.MAX_VALUE;
    for (int r = 0; r < rounds; r++) {
      long a = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        m.forward();
      }
      long b = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        m.lossAndGradients();
      }
      long c = System.nanoTime();
      bestForward = Math.min(bestForward, (b - a) / 1e9 / calls);
      bestGradients = Math.min(bestGradients, (c - b) / 1e9 / calls);
    }
    return new double[] {bestForward, bestGradients};
  }

  /** Feeds every input random values: floats in [-1, 1), labels uniform over the classes. */
  static void feedRandom(Model m, int batch, SplittableRandom r) {
    for (TensorSpec t : m.spec().ofKind(TensorKind.INPUT)) {
      int n = t.batched() ? t.size(batch) : t.rowSize();
      if (t.dtype() == DType.I32) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
          v[i] = t.classes() > 0 ? r.nextInt(t.classes()) : r.nextInt(2);
        }
        m.feed(t.name(), v);
      } else {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
          v[i] = (float) r.nextDouble(-1, 1);
        }
        m.feed(t.name(), v);
      }
    }
  }
}
