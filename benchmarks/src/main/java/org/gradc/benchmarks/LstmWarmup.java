package org.gradc.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;
import org.gradc.runtime.Model;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.IntColumn;

/**
 * How fast the Names LSTM gets fast, from a cold JVM: the first epoch's concern, where every kernel
 * method runs in the interpreter and C1 until C2 has compiled it. Compiles {@code Names.grad} (T =
 * 16, as shipped), then trains on the word list in batches of 64 (the order of {@link Workload}'s
 * LSTM run) and prints, for blocks of steps, the wall milliseconds per step and the cumulative wall
 * seconds, with this process's CPU seconds (the JIT's threads included) at the end of each block.
 * Run it once per {@link org.gradc.compiler.codegen.StepForm} ({@code -Dgradc.steps=unrolled} or
 * {@code shared}) and compare:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Dgradc.steps=shared -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.LstmWarmup /usr/share/dict/words [STEPS]
 * </pre>
 */
public final class LstmWarmup {
  private LstmWarmup() {}

  public static void main(String[] args) throws Exception {
    Path words = Path.of(args[0]);
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    long start = System.nanoTime();
    Model m = Workload.compileResource(Workload.NAMES);
    m.initialize(0);
    double compileSeconds = (System.nanoTime() - start) / 1e9;
    int length = Workload.sequenceLength(m);
    Dataset data = org.gradc.runtime.data.TextLines.read(words, length).data();
    IntColumn xs = (IntColumn) data.column("x");
    IntColumn ys = (IntColumn) data.column("y");
    int full = data.size() / Workload.BATCH;
    int[] order = data.order(Workload.LSTM_SEED, 0);
    int[] x = new int[Workload.BATCH * length];
    int[] y = new int[Workload.BATCH * length];
    System.out.printf(
        Locale.ROOT,
        "steps form: %s, compile %.3f s%n",
        System.getProperty("gradc.steps", "default"),
        compileSeconds);
    System.out.printf(
        Locale.ROOT,
        "%8s %12s %14s %12s %10s%n",
        "to step",
        "ms/step",
        "wall total s",
        "proc CPU s",
        "loss");
    long trainStart = System.nanoTime();
    int done = 0;
    double loss = 0;
    int block = 10;
    while (done < steps) {
      long t0 = System.nanoTime();
      int to = Math.min(steps, done + block);
      for (; done < to; done++) {
        int from = (done % full) * Workload.BATCH;
        xs.gather(order, from, from + Workload.BATCH, x);
        ys.gather(order, from, from + Workload.BATCH, y);
        m.feed("x", x);
        m.feed("y", y);
        loss = m.trainStep();
      }
      long t1 = System.nanoTime();
      System.out.printf(
          Locale.ROOT,
          "%8d %12.2f %14.3f %12.2f %10.4f%n",
          done,
          (t1 - t0) / 1e6 / block,
          (t1 - trainStart) / 1e9,
          processCpuSeconds(),
          loss);
      if (done >= 100) {
        block = done >= 500 ? 250 : 50;
      }
    }
  }

  private static double processCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1e9;
  }
}
