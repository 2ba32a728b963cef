package org.gradc.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.gradc.runtime.Model;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.Datasets;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;
import org.gradc.runtime.train.TrainingContext;
import org.gradc.runtime.train.TrainingListener;

/**
 * Whether {@link Trainer#threads(int) threads(k)} (each step's large products split across k
 * threads) or, with {@code data}, {@link Trainer#dataParallel(int) dataParallel(k)} (shards on
 * model replicas) pays on this machine: epochs of the Fashion-MNIST MLP (batch 64, Adam, shuffled,
 * no accuracy pass: the work of {@code Workload gradc-mlp-1t}) on one thread and on {@code k}
 * threads, alternated in one JVM (one model each, the one-thread epoch first in even rounds and
 * second in odd ones), so both see the same machine load and the same JIT. A warm-up round is
 * reported apart. Each epoch's wall time and the process's CPU time over it (all threads, JIT and
 * GC included, and split into training, JIT and GC threads by {@link TaskCpu}) are printed; the
 * summary gives the best epoch of each side, the median of the per-round ratios k-thread/one-thread
 * and their range. Every epoch is a {@code fit} of its own, so a new set of shard threads and a new
 * barrier, with warm code: what happens over a long run (the barrier's spin after a slow first
 * epoch, the JIT still compiling in the second) shows in {@code Workload gradc-mlp-2t}, one {@code
 * fit} of several epochs.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.ThreadScaling IMAGES LABELS [ROUNDS (5)] [THREADS (2)] [rows|data (rows)]
 * </pre>
 */
public final class ThreadScaling {
  private ThreadScaling() {}

  public static void main(String[] args) throws Exception {
    Path images = Path.of(args[0]);
    Path labels = Path.of(args[1]);
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    boolean dataParallel = args.length > 4 && args[4].equals("data");
    Dataset data = Datasets.idx(images, labels, 255f);
    Model one = Workload.compileResource(TrainStepBench.MODEL_RESOURCE);
    Model many = one.copy();
    one.initialize(0);
    many.initialize(0);
    double[][] wall = new double[2][rounds];
    double[][] cpu = new double[2][rounds];
    double[] ratio = new double[rounds];
    for (int round = -1; round < rounds; round++) {
      for (int turn = 0; turn < 2; turn++) {
        // side 0 (one thread) first in even rounds
        int side = (round & 1) == 0 ? turn : 1 - turn;
        long w = System.nanoTime();
        long c = processCpuNanos();
        TaskCpu tasks = TaskCpu.now();
        TaskCpu[] end = new TaskCpu[1];
        Trainer trainer = Trainer.of(side == 0 ? one : many).threads(side == 0 ? 1 : threads);
        if (dataParallel && side == 1) {
          trainer.dataParallel(threads);
        }
        trainer
            .batchSize(Workload.BATCH)
            .epochs(1)
            .shuffle(7 + round)
            .trainAccuracy(false)
            .progress(Progress.NONE)
            .listener(
                new TrainingListener() {
                  @Override
                  public void onEpochEnd(TrainingContext context) {
                    // before the trainer's shard threads end (an ended thread's CPU is gone)
                    end[0] = TaskCpu.now();
                  }
                })
            .fit(data);
        double ws = (System.nanoTime() - w) / 1e9;
        double cs = (processCpuNanos() - c) / 1e9;
        TaskCpu.Cpu t = end[0].since(tasks);
        System.err.printf(
            Locale.ROOT,
            "%s %d thread(s): epoch %.3f s, cpu %.3f s (training threads %.2f, JIT %.2f, GC %.2f)%n",
            round < 0 ? "warm-up" : "round " + round,
            side == 0 ? 1 : threads,
            ws,
            cs,
            t.training() / 1e9,
            t.jit() / 1e9,
            t.gc() / 1e9);
        if (round >= 0) {
          wall[side][round] = ws;
          cpu[side][round] = cs;
        }
      }
      if (round >= 0) {
        ratio[round] = wall[1][round] / wall[0][round];
      }
    }
    double[] sorted = ratio.clone();
    Arrays.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "{\"threads\": %d, \"rounds\": %d, \"epoch_1t_s\": %.4f, \"epoch_kt_s\": %.4f,"
            + " \"cpu_1t_s\": %.4f, \"cpu_kt_s\": %.4f, \"best_ratio\": %.3f,"
            + " \"median_ratio\": %.3f, \"min_ratio\": %.3f, \"max_ratio\": %.3f}%n",
        threads,
        rounds,
        min(wall[0]),
        min(wall[1]),
        min(cpu[0]),
        min(cpu[1]),
        min(wall[1]) / min(wall[0]),
        sorted[rounds / 2],
        sorted[0],
        sorted[rounds - 1]);
  }

  private static double min(double[] a) {
    return Arrays.stream(a).min().orElse(Double.NaN);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
