package org.gradc.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.data.DataSource;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.train.DataParallel;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.Metric;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;
import org.gradc.runtime.train.TrainingContext;
import org.gradc.runtime.train.TrainingListener;

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
 *       DataParallel#weightedSum} of {@code Trainer.dataParallel(2)}.
 *   <li>{@code fit [EPOCHS [EVAL_BATCH]]} (default 3 epochs): the product path, {@code gradc train
 *       FashionMlp.grad --data fashion-mnist} in process (seed 0, batch 64, validation on the test
 *       set): per epoch the wall time, the training thread's CPU, the process's CPU and the CPU of
 *       the C1 and C2 compiler threads; the training thread's CPU per step of the first epoch; the
 *       final loss and a hash of the trained parameters (equal hashes: bit-identical training). Run
 *       it with the launcher's options for {@code train} ({@code -XX:+UseParallelGC -Xmn64m} and
 *       its {@code train_jit}, also {@link Harness#TRAIN_JIT_OPTIONS}) to measure what users get.
 * </ul>
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.FirstEpochProfile first-steps|costs|fit [N]</pre>
 */
public final class FirstEpochProfile {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private FirstEpochProfile() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "first-steps";
    if (mode.equals("fit")) {
      fit(
          args.length > 1 ? Integer.parseInt(args[1]) : 3,
          args.length > 2 ? Integer.parseInt(args[2]) : 0);
      return;
    }
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

  /**
   * {@code gradc train FashionMlp.grad --data fashion-mnist --epochs EPOCHS} in process (the same
   * seed, batch, shuffling and validation on the test set), timing what the user waits for: each
   * epoch's wall time, the training thread's CPU and the whole process's CPU (the JIT's compiler
   * threads and the collector included), and the training thread's CPU per step of the first epoch
   * (each of the first 10, then means over 10 and 100 steps). Ends with the final loss and a hash
   * of the trained parameters' bits, so two JVM configurations can be checked for identical
   * results.
   */
  private static void fit(int epochs, int evalBatch) throws Exception {
    Model m = Workload.compileResource(TrainStepBench.MODEL_RESOURCE);
    m.initialize(0);
    DataSource source = DataSource.fashionMnist(Path.of("/usr/share/datasets/fashion-mnist"));
    Dataset train = source.train().forModel(m.spec());
    Dataset validation = source.test().forModel(m.spec());
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long[] epochStart = new long[5];
    long[] lastStep = new long[1];
    StringBuilder steps = new StringBuilder("epoch 1, thread CPU per step (ms), step:mean since");
    StringBuilder epochsLine = new StringBuilder();
    double[][] times = new double[epochs][];
    TrainingListener timer =
        new TrainingListener() {
          @Override
          public void onBatchEnd(TrainingContext c) {
            if (c.epoch() != 1) {
              return;
            }
            int step = c.batch();
            int every = step <= 10 ? 1 : step <= 200 ? 10 : 100;
            if (step == 10 || step == 100) {
              steps.append(" [uptime " + ManagementFactory.getRuntimeMXBean().getUptime() + " ms]");
            }
            if (step % every == 0) {
              long now = THREADS.getCurrentThreadCpuTime();
              steps.append(
                  String.format(Locale.ROOT, " %d:%.2f", step, (now - lastStep[0]) / 1e6 / every));
              lastStep[0] = now;
            }
          }

          @Override
          public void onEpochEnd(TrainingContext c) {
            if (evalBatch > 0) {
              // a user's loop evaluating in its own batch size between epochs (issue 15: it must
              // not slow the next epoch); timed as part of this epoch
              Trainer.evaluate(m, validation, evalBatch);
            }
            long wall = System.nanoTime();
            long cpu = THREADS.getCurrentThreadCpuTime();
            long process = os.getProcessCpuTime();
            long[] jit = compilerThreadsCpu();
            times[c.epoch() - 1] =
                new double[] {
                  (wall - epochStart[0]) / 1e9,
                  (cpu - epochStart[1]) / 1e9,
                  (process - epochStart[2]) / 1e9,
                  (jit[0] - epochStart[3]) / 1e9,
                  (jit[1] - epochStart[4]) / 1e9
                };
            epochStart[0] = wall;
            epochStart[1] = cpu;
            epochStart[2] = process;
            epochStart[3] = jit[0];
            epochStart[4] = jit[1];
          }
        };
    Trainer trainer =
        Trainer.of(m)
            .epochs(epochs)
            .batchSize(64)
            .shuffle(0)
            .validate(validation)
            .progress(Progress.NONE)
            .listener(timer);
    // JVM uptime, to place the epochs in a -XX:+PrintCompilation log (its first column)
    System.out.printf(
        Locale.ROOT,
        "fit starts at JVM uptime %d ms, after %.3f s of process CPU (compiling the model, reading the data)%n",
        ManagementFactory.getRuntimeMXBean().getUptime(),
        os.getProcessCpuTime() / 1e9);
    epochStart[0] = System.nanoTime();
    epochStart[1] = lastStep[0] = THREADS.getCurrentThreadCpuTime();
    epochStart[2] = os.getProcessCpuTime();
    long[] jit0 = compilerThreadsCpu();
    epochStart[3] = jit0[0];
    epochStart[4] = jit0[1];
    History h = trainer.fit(train);
    System.out.println(steps);
    double warmWall = Double.MAX_VALUE;
    double warmCpu = Double.MAX_VALUE;
    for (int e = 0; e < epochs; e++) {
      epochsLine.append(
          String.format(
              Locale.ROOT,
              "epoch %d: %.3f s wall, %.3f s thread CPU, %.3f s process CPU (C1 %.3f, C2 %.3f)%n",
              e + 1,
              times[e][0],
              times[e][1],
              times[e][2],
              times[e][3],
              times[e][4]));
      if (e > 0) {
        warmWall = Math.min(warmWall, times[e][0]);
        warmCpu = Math.min(warmCpu, times[e][1]);
      }
    }
    System.out.print(epochsLine);
    long hash = 1;
    for (Object a : DataParallel.arrays(m, TensorKind.PARAM)) {
      hash = 31 * hash + java.util.Arrays.hashCode((float[]) a);
    }
    System.out.printf(
        Locale.ROOT,
        "first / warm epoch: %.2f wall, %.2f thread CPU; loss %s, val_accuracy %s, parameters"
            + " hash %016x%n",
        times[0][0] / warmWall,
        times[0][1] / warmCpu,
        h.last().get(Metric.LOSS),
        h.last().get(Metric.VAL_ACCURACY),
        hash);
  }

  /**
   * CPU time of HotSpot's C1 and C2 compiler threads so far (nanoseconds), from {@code
   * /proc/self/task} (they are hidden from {@link ThreadMXBean}); zeros where there is no /proc.
   */
  static long[] compilerThreadsCpu() {
    TaskCpu.Cpu cpu = TaskCpu.now().total();
    return new long[] {cpu.c1(), cpu.c2()};
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
