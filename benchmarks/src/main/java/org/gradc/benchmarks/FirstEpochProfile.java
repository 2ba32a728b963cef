package org.gradc.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.train.DataParallel;

/**
 * Where the FashionMlp's first epoch and a two-thread step go, in thread CPU time (which a loaded
 * machine delays but hardly inflates, unlike wall time; the JIT's compiler threads are not
 * counted).
 *
 * <ul>
 *   <li>{@code first-steps [STEPS]} (default 1,000): from a cold JVM, the thread CPU of every one
 *       of the first 10 training steps (batch 64, random data), then the mean per step of each 10
 *       up to step 200 and of each 100 after: how long the kernels run in the interpreter and in C1
 *       before C2's code arrives.
 *   <li>{@code costs [REPS]} (default 1,000): after a warm-up, the best of 6 rounds of REPS calls,
 *       per call: {@code trainStep}, {@code forward} + {@code trainStep} (the trainer's old
 *       training-accuracy pass), {@code evaluate} (a validation batch), {@code lossAndGradients} on
 *       a 32-row shard, {@code applyGradients} (the optimizer alone) and the 2-shard {@link
 *       DataParallel#weightedSum} of {@code Trainer.threads(2)}.
 * </ul>
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.FirstEpochProfile first-steps|costs [N]</pre>
 */
public final class FirstEpochProfile {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private FirstEpochProfile() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "first-steps";
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    Model m = Workload.compileResource(TrainStepBench.MODEL_RESOURCE);
    m.initialize(0);
    m.hyperParameter("lr", 1e-6); // the parameters barely move: every step does the same work
    SplittableRandom r = new SplittableRandom(1);
    float[][] xs = new float[8][64 * 784];
    for (float[] x : xs) {
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextDouble();
      }
    }
    int[] y = new int[64];
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextInt(10);
    }
    switch (mode) {
      case "first-steps" -> firstSteps(m, xs, y, n);
      case "costs" -> costs(m, xs[0], y, n);
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
  }

  private static void firstSteps(Model m, float[][] xs, int[] y, int steps) {
    StringBuilder s = new StringBuilder("thread CPU per step (ms), step:mean over the steps since");
    long start = THREADS.getCurrentThreadCpuTime();
    long last = start;
    for (int step = 1; step <= steps; step++) {
      m.feed("x", xs[step & 7]);
      m.feed("y", y);
      m.trainStep();
      int every = step <= 10 ? 1 : step <= 200 ? 10 : 100;
      if (step % every == 0) {
        long now = THREADS.getCurrentThreadCpuTime();
        s.append(String.format(Locale.ROOT, " %d:%.2f", step, (now - last) / 1e6 / every));
        last = now;
      }
    }
    System.out.println(s);
    System.out.printf(
        Locale.ROOT,
        "%d steps: %.3f s thread CPU%n",
        steps,
        (THREADS.getCurrentThreadCpuTime() - start) / 1e9);
  }

  private static void costs(Model m, float[] x, int[] y, int reps) {
    Model shard = m.copy();
    float[] half = java.util.Arrays.copyOf(x, 32 * 784);
    int[] halfY = java.util.Arrays.copyOf(y, 32);
    List<Object> g0 = DataParallel.arrays(m, TensorKind.GRADIENT);
    List<Object> g1 = DataParallel.arrays(shard, TensorKind.GRADIENT);
    String[] names = {
      "trainStep", "forward+trainStep", "evaluate", "gradients 32 rows", "applyGradients", "sum 2"
    };
    Runnable[] calls = {
      () -> {
        m.feed("x", x);
        m.feed("y", y);
        m.trainStep();
      },
      () -> {
        m.feed("x", x);
        m.feed("y", y);
        m.forward();
        m.trainStep();
      },
      () -> {
        m.feed("x", x);
        m.feed("y", y);
        m.evaluate();
      },
      () -> {
        shard.feed("x", half);
        shard.feed("y", halfY);
        shard.lossAndGradients();
      },
      m::applyGradients,
      () -> DataParallel.weightedSum(g0, List.of(g0, g1), new int[] {32, 32}, 64)
    };
    double[] best = new double[calls.length];
    java.util.Arrays.fill(best, Double.MAX_VALUE);
    for (int round = 0; round < 7; round++) {
      for (int c = 0; c < calls.length; c++) {
        long t0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < reps; i++) {
          calls[c].run();
        }
        double us = (THREADS.getCurrentThreadCpuTime() - t0) / 1e3 / reps;
        if (round > 0) { // round 0 warms up
          best[c] = Math.min(best[c], us);
        }
      }
    }
    StringBuilder s = new StringBuilder("thread CPU per call (us), best of 6 rounds:");
    for (int c = 0; c < calls.length; c++) {
      s.append(String.format(Locale.ROOT, "  %s %.1f", names[c], best[c]));
    }
    System.out.println(s);
  }
}
