package org.gradc.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.data.DataSource;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.Datasets;
import org.gradc.runtime.data.FloatColumn;
import org.gradc.runtime.data.IntColumn;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.Metric;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;
import org.gradc.runtime.train.Warmup;

/**
 * One benchmark workload, run in a JVM of its own by {@link Harness} so that its peak memory is its
 * own. Prints one line of JSON: times, final loss and peak RSS.
 *
 * <p>{@code Workload gradc-mlp|java-mlp IMAGES LABELS} trains two epochs of the Fashion-MNIST MLP
 * (batch 64, the order of each epoch a seeded permutation) and reports the first (cold) and second
 * (warm) epoch apart ({@code gradc-mlp-launcher}: the same bare loop, which {@link Harness} runs in
 * a JVM with {@code gradc train}'s options, as {@code gradc-train}). {@code Workload
 * gradc-xor|java-xor STEPS} times STEPS training steps of the XOR net after a warm-up of the same
 * length. {@code Workload gradc-mlp-1t|gradc-mlp-2t IMAGES LABELS [EPOCHS]} trains the same model
 * through the {@link Trainer} on 1 or 2 threads (2t: {@link Trainer#threads}, each step's large
 * products split across them; {@code gradc-mlp-2d}: {@link Trainer#dataParallel}, shards on model
 * replicas), EPOCHS (default 3) epochs in one {@code fit}, and reports the first and the fastest
 * other epoch (see {@link #mlpTrainer}). {@code Workload gradc-train IMAGES LABELS [EPOCHS]} is
 * what {@code gradc train --data fashion-mnist} runs (the data loaded while a {@link Warmup} runs,
 * unless a fifth argument {@code no-warmup} is given; {@code load_s} reports how long that took):
 * {@link Trainer#fit} with validation on the test set and the training accuracy, EPOCHS (default 2,
 * as the bare loop) epochs timed by the wall clock, validation included (and reported apart).
 * {@code Workload gradc-overhead IMAGES LABELS [ROUNDS]} alternates bare epochs and {@code fit}
 * epochs on one model in one JVM (see {@link #overhead}). {@code Workload
 * gradc-predict|java-predict [CALLS]} times CALLS (default 100,000) one-example predictions after
 * as many warm-up calls: median and 99th percentile, and the bytes allocated per call. {@code
 * Workload gradc-lstm WORDS STEPS [epoch]} trains the Names LSTM ({@link #NAMES}, issue 12) on the
 * word list as {@code text:WORDS?length=16}: ms per training step over STEPS steps after a separate
 * warm-up of STEPS steps, and with {@code epoch} first the mean training loss of one epoch from the
 * fresh model (what {@code torch_bench.py --lstm-steps S --lstm-epoch} reports for PyTorch: the
 * same batches in the same order). {@code Workload gradc-cnn [STEPS [WARM-UP]]} times STEPS
 * (default 100) training steps of {@code examples/…/FashionCnn.grad} at batch 64 on eight seeded
 * random batches in turn, after WARM-UP (default 700) steps timed apart; an epoch of Fashion-MNIST
 * is 938 such steps. It also prints the CPU time of a timed step (less disturbed by other processes
 * than its wall time) and the bytes it allocates: a step whose kernels all run as compiled vector
 * code allocates almost nothing, one with a kernel compiled as the Vector API's Java fallback
 * allocates megabytes (docs/performance.md).
 */
public final class Workload {
  static final int BATCH = 64;

  /** Epochs of {@code gradc-mlp-1t} and {@code gradc-mlp-2t} unless given. */
  static final int TRAINER_EPOCHS = 3;

  private Workload() {}

  public static void main(String[] args) throws Exception {
    String which = args[0];
    String json =
        switch (which) {
          case "gradc-mlp", "gradc-mlp-launcher", "java-mlp" ->
              mlp(which.startsWith("gradc"), Path.of(args[1]), Path.of(args[2]));
          case "gradc-mlp-1t", "gradc-mlp-2t", "gradc-mlp-2d" ->
              mlpTrainer(
                  which.endsWith("1t") ? 1 : 2,
                  which.endsWith("2d"),
                  Path.of(args[1]),
                  Path.of(args[2]),
                  args.length > 3 ? Integer.parseInt(args[3]) : TRAINER_EPOCHS);
          case "gradc-xor", "java-xor" -> xor(which.startsWith("gradc"), Integer.parseInt(args[1]));
          case "gradc-train" ->
              mlpFit(
                  Path.of(args[1]),
                  Path.of(args[2]),
                  args.length > 3 ? Integer.parseInt(args[3]) : 2,
                  !(args.length > 4 && args[4].equals("no-warmup")));
          case "trainer-step" -> trainerStep(args.length > 1 ? Integer.parseInt(args[1]) : 12);
          case "gradc-overhead" ->
              overhead(
                  Path.of(args[1]),
                  Path.of(args[2]),
                  args.length > 3 ? Integer.parseInt(args[3]) : 3);
          case "gradc-lstm" ->
              lstm(
                  Path.of(args[1]),
                  Integer.parseInt(args[2]),
                  args.length > 3 && args[3].equals("epoch"));
          case "gradc-cnn" ->
              cnn(
                  args.length > 1 ? Integer.parseInt(args[1]) : 100,
                  args.length > 2 ? Integer.parseInt(args[2]) : 700);
          case "gradc-predict", "java-predict" ->
              predict(
                  which.startsWith("gradc"), args.length > 1 ? Integer.parseInt(args[1]) : 100_000);
          default -> throw new IllegalArgumentException("unknown workload " + which);
        };
    System.out.println(json);
  }

  /** A model file shipped with the benchmarks, compiled in memory. */
  static Model compileResource(String name) throws Exception {
    try (InputStream in = Workload.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new java.io.FileNotFoundException(name + " is not on the class path");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return Gradc.compile(new SourceFile(name, text), Gradc.Options.defaults());
    }
  }

  /** Issue 12's byte-level LSTM language model, as the examples ship it. */
  static final String NAMES = "/org/gradc/examples/Names.grad";

  /** The data order of every LSTM run: {@code torch_bench.py} draws the same permutation. */
  static final long LSTM_SEED = 7;

  /** The steps of a sequence model: the last extent of its input {@code x}. */
  static int sequenceLength(Model m) {
    int[] shape =
        m.spec().ofKind(TensorKind.INPUT).stream()
            .filter(t -> t.name().equals("x"))
            .findFirst()
            .orElseThrow()
            .shape();
    return shape[shape.length - 1];
  }

  private static String lstm(Path words, int steps, boolean epoch) throws Exception {
    long compileStart = System.nanoTime();
    Model m = compileResource(NAMES);
    m.initialize(0);
    double compileSeconds = (System.nanoTime() - compileStart) / 1e9;
    int length = sequenceLength(m);
    Dataset data = org.gradc.runtime.data.TextLines.read(words, length).data();
    IntColumn xs = (IntColumn) data.column("x");
    IntColumn ys = (IntColumn) data.column("y");
    int rows = data.size();
    int[] order = data.order(LSTM_SEED, 0);
    int[][] xBuf = {new int[BATCH * length], new int[(rows % BATCH) * length]};
    int[][] yBuf = {new int[BATCH * length], new int[(rows % BATCH) * length]};
    BatchStep step =
        from -> {
          int n = Math.min(BATCH, rows - from);
          int b = n == BATCH ? 0 : 1;
          xs.gather(order, from, from + n, xBuf[b]);
          ys.gather(order, from, from + n, yBuf[b]);
          m.feed("x", xBuf[b]);
          m.feed("y", yBuf[b]);
          return m.trainStep();
        };
    StringBuilder json = new StringBuilder("{");
    if (epoch) {
      // the first epoch from the fresh model: its mean loss, then the timing on the trained one
      long start = System.nanoTime();
      double total = 0;
      int count = 0;
      for (int from = 0; from < rows; from += BATCH) {
        total += step.step(from);
        count++;
      }
      json.append(
          String.format(
              Locale.ROOT,
              "\"lstm_epoch_s\": %.3f, \"lstm_epoch_loss\": %.5f, ",
              (System.nanoTime() - start) / 1e9,
              total / count));
    }
    int full = rows / BATCH;
    // Warm-up until the JIT is done: every unrolled step has kernel methods of its own (520
    // methods at T = 16), each called once per training step, so C2 reaches them only after
    // thousands of steps (under load, 650 steps were not enough: 35-41 ms a step, against 12.8 ms
    // after 4,000). Blocks of 50 steps, at least max(STEPS, 3,000) steps, then until five blocks in
    // a row are not 2% faster than the best so far (at most 10,000 steps).
    int warm = 0;
    int stable = 0;
    double bestBlock = Double.MAX_VALUE;
    while (warm < 10_000 && (warm < Math.max(steps, 3000) || stable < 5)) {
      long t0 = System.nanoTime();
      for (int s = 0; s < 50; s++, warm++) {
        step.step((warm % full) * BATCH);
      }
      double t = System.nanoTime() - t0;
      stable = t > 0.98 * bestBlock ? stable + 1 : 0;
      bestBlock = Math.min(bestBlock, t);
    }
    double loss = 0;
    StepMeter meter = StepMeter.start();
    long start = System.nanoTime();
    for (int s = 0; s < steps; s++) {
      loss = step.step(((warm + s) % full) * BATCH);
    }
    double ms = (System.nanoTime() - start) / 1e6 / steps;
    json.append(
        String.format(
            Locale.ROOT,
            "\"compile_s\": %.4f, \"lstm_step_ms\": %.3f, \"step_cpu_ms\": %.3f,"
                + " \"alloc_kb_per_step\": %.1f, \"lstm_steps\": %d,"
                + " \"lstm_warmup_steps\": %d, \"lstm_loss\": %.5f, \"peak_rss_mb\": %.1f}",
            compileSeconds,
            ms,
            meter.cpuMs(steps),
            meter.allocKb(steps),
            steps,
            warm,
            loss,
            peakRssMb()));
    return json.toString();
  }

  /** A training step over the batch of rows {@code order[from ..]}. */
  interface BatchStep {
    double step(int from);
  }

  /** A training step over one batch: gradc's generated model or the hand-written one. */
  interface Stepper {
    double step(float[] x, int[] y, int n);
  }

  private static String mlp(boolean gradc, Path images, Path labels) throws Exception {
    long compileStart = System.nanoTime();
    Stepper stepper;
    if (gradc) {
      Model m = compileResource(TrainStepBench.MODEL_RESOURCE);
      m.initialize(0);
      stepper =
          (x, y, n) -> {
            m.feed("x", x);
            m.feed("y", y);
            return m.trainStep();
          };
    } else {
      HandWrittenMlp h = new HandWrittenMlp(BATCH, 0);
      stepper = (x, y, n) -> h.trainStep(x, y, n, 1e-3f);
    }
    double compileSeconds = (System.nanoTime() - compileStart) / 1e9;
    Dataset data = Datasets.idx(images, labels, 255f);
    FloatColumn xs = (FloatColumn) data.column("x");
    IntColumn ys = (IntColumn) data.column("y");
    int rows = data.size();
    float[][] xBuf = {new float[BATCH * 784], new float[(rows % BATCH) * 784]};
    int[][] yBuf = {new int[BATCH], new int[rows % BATCH]};
    ThreadTimes.Span[] epochs = new ThreadTimes.Span[2];
    double loss = 0;
    ThreadTimes last = ThreadTimes.now();
    for (int epoch = 0; epoch < 2; epoch++) {
      int[] order = data.order(7, epoch);
      for (int from = 0; from < rows; from += BATCH) {
        loss = mlpStep(stepper, xs, ys, order, from, Math.min(BATCH, rows - from), xBuf, yBuf);
      }
      ThreadTimes now = ThreadTimes.now();
      epochs[epoch] = now.since(last);
      last = now;
      System.err.println(epochs[epoch].describe("bare loop, epoch " + (epoch + 1)));
    }
    return String.format(
        Locale.ROOT,
        "{\"compile_s\": %.4f, \"steps\": %d, %s%s\"loss\": %.5f, \"peak_rss_mb\": %.1f}",
        compileSeconds,
        data.batchCount(BATCH),
        epochs[0].json("first_epoch"),
        epochs[1].json("epoch"),
        loss,
        peakRssMb());
  }

  /**
   * One step of the bare loop: gather rows {@code order[from..from+n)}, then the stepper. A method
   * of its own, so that it is compiled by call count like the trainer's step: the epoch loop runs
   * once, and in a JVM without on-stack replacement ({@code gradc train}'s options, the {@code
   * gradc-mlp-launcher} control) a loop body written inline stayed in the interpreter, which made
   * the control look 4–7 % slower than the plain bare loop (docs/performance.md, "Trainer.fit's
   * wall clock").
   */
  private static double mlpStep(
      Stepper stepper,
      FloatColumn xs,
      IntColumn ys,
      int[] order,
      int from,
      int n,
      float[][] xBuf,
      int[][] yBuf) {
    int b = n == BATCH ? 0 : 1;
    xs.gather(order, from, from + n, xBuf[b]);
    ys.gather(order, from, from + n, yBuf[b]);
    return stepper.step(xBuf[b], yBuf[b], n);
  }

  /**
   * FashionCnn's training step (batch 64): {@code warmUp} steps, then {@code steps} timed ones.
   * HotSpot compiles a method whole (C2) only after about 600 calls, and each kernel method runs
   * once per step; until then only its loops are compiled, on-stack, where the vector tiles' sums
   * are boxed (measured: 36 ms per step after 200 steps, 20 ms once compiled). So the default
   * warm-up is 700 steps, reported apart from the steady step time.
   */
  private static String cnn(int steps, int warmUp) throws Exception {
    long compileStart = System.nanoTime();
    Model m = compileResource("/org/gradc/examples/FashionCnn.grad");
    m.initialize(0);
    double compileSeconds = (System.nanoTime() - compileStart) / 1e9;
    SplittableRandom r = new SplittableRandom(11);
    float[][] xs = new float[8][BATCH * 784];
    int[][] ys = new int[8][BATCH];
    for (int b = 0; b < 8; b++) {
      for (int i = 0; i < xs[b].length; i++) {
        xs[b][i] = (float) r.nextDouble();
      }
      for (int i = 0; i < BATCH; i++) {
        ys[b][i] = r.nextInt(10);
      }
    }
    long start = System.nanoTime();
    for (int i = 0; i < warmUp; i++) {
      m.feed("x", xs[i % 8]);
      m.feed("y", ys[i % 8]);
      m.trainStep();
    }
    double warmSeconds = (System.nanoTime() - start) / 1e9;
    double loss = 0;
    StepMeter meter = StepMeter.start();
    start = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      m.feed("x", xs[i % 8]);
      m.feed("y", ys[i % 8]);
      loss = m.trainStep();
    }
    double stepMs = (System.nanoTime() - start) / 1e6 / steps;
    double cpuMs = meter.cpuMs(steps);
    double allocKb = meter.allocKb(steps);
    return String.format(
        Locale.ROOT,
        "{\"compile_s\": %.4f, \"warmup_steps\": %d, \"warmup_s\": %.3f, \"steps\": %d,"
            + " \"step_ms\": %.3f, \"step_cpu_ms\": %.3f, \"alloc_kb_per_step\": %.1f,"
            + " \"loss\": %.5f, \"peak_rss_mb\": %.1f}",
        compileSeconds,
        warmUp,
        warmSeconds,
        steps,
        stepMs,
        cpuMs,
        allocKb,
        loss,
        peakRssMb());
  }

  /**
   * Epochs of the same training through {@link Trainer} with {@code threads} threads (splitting
   * products, or data-parallel) (same model, batch, optimizer and permutations; no
   * training-accuracy pass, so the work matches {@link #mlp}), in one {@code fit}: the first epoch,
   * and as the warm epoch the fastest of the others with the CPU of its training, JIT and GC
   * threads ({@link TaskCpu}). Each epoch's numbers also go to stderr. Why not simply the second
   * epoch: on two cores a 2-thread process leaves the JIT no idle core, so C2 was still compiling
   * during its second epoch (0.05-0.7 s of C2 CPU per epoch, measured under load, through the
   * fourth), time a 1-thread process hides on its idle core.
   */
  private static String mlpTrainer(
      int threads, boolean dataParallel, Path images, Path labels, int epochs) throws Exception {
    long compileStart = System.nanoTime();
    Model m = compileResource(TrainStepBench.MODEL_RESOURCE);
    m.initialize(0);
    double compileSeconds = (System.nanoTime() - compileStart) / 1e9;
    Dataset data = Datasets.idx(images, labels, 255f);
    TaskCpu[] cpu = new TaskCpu[epochs + 1];
    Trainer trainer =
        dataParallel ? Trainer.of(m).dataParallel(threads) : Trainer.of(m).threads(threads);
    trainer
        .batchSize(BATCH)
        .epochs(epochs)
        .shuffle(7)
        .trainAccuracy(false)
        .progress(Progress.NONE)
        .listener(
            new org.gradc.runtime.train.TrainingListener() {
              @Override
              public void onTrainStart(org.gradc.runtime.train.TrainingContext c) {
                cpu[0] = TaskCpu.now();
              }

              @Override
              public void onEpochEnd(org.gradc.runtime.train.TrainingContext c) {
                cpu[c.epoch()] = TaskCpu.now();
                TaskCpu.Cpu e = cpu[c.epoch()].since(cpu[c.epoch() - 1]);
                System.err.printf(
                    Locale.ROOT,
                    "epoch %d: %.3f s, ends at %d ms; CPU training %.2f, C1 %.2f, C2 %.2f, GC %.2f, other"
                        + " %.2f s%n",
                    c.epoch(),
                    c.metrics().get(Metric.SECONDS),
                    ManagementFactory.getRuntimeMXBean().getUptime(),
                    e.training() / 1e9,
                    e.c1() / 1e9,
                    e.c2() / 1e9,
                    e.gc() / 1e9,
                    e.other() / 1e9);
              }
            });
    History h = trainer.fit(data);
    int warm = epochs > 1 ? 2 : 1;
    for (int e = 3; e <= epochs; e++) {
      warm = h.epoch(e).get(Metric.SECONDS) < h.epoch(warm).get(Metric.SECONDS) ? e : warm;
    }
    TaskCpu.Cpu w = cpu[warm].since(cpu[warm - 1]);
    return String.format(
        Locale.ROOT,
        "{\"threads\": %d, \"data_parallel\": %d, \"epochs\": %d, \"compile_s\": %.4f,"
            + " \"first_epoch_s\": %.4f, \"epoch_s\": %.4f, \"epoch_train_cpu_s\": %.2f, \"epoch_jit_cpu_s\": %.2f,"
            + " \"epoch_gc_cpu_s\": %.2f, \"loss\": %.5f, \"peak_rss_mb\": %.1f}",
        threads,
        dataParallel ? 1 : 0,
        epochs,
        compileSeconds,
        h.epoch(1).get(Metric.SECONDS),
        h.epoch(warm).get(Metric.SECONDS),
        w.training() / 1e9,
        w.jit() / 1e9,
        w.gc() / 1e9,
        h.last().get(Metric.LOSS),
        peakRssMb());
  }

  /**
   * {@link Trainer#fit} as {@code gradc train --data fashion-mnist --epochs E --batch 64} runs it:
   * validation on the 10,000 test images after every epoch, training accuracy on, no progress
   * output. Each epoch is timed from the end of the previous one (the first from the start of
   * {@code fit}), so the time is what the user waits for, validation included; each epoch is also
   * split at its last step into its training part ({@code train_*}) and its validation ({@code
   * val_*}; {@code first_val_*} for the first epoch), and each part's wall time into the training
   * thread's CPU, its waiting for a core and its time blocked ({@link ThreadTimes}), with the GC
   * pauses and the JIT's CPU in it; one line per epoch also goes to stderr. The warm epoch is the
   * fastest after the first (with the default 2 epochs, the second: as the bare loop's).
   */
  private static String mlpFit(Path images, Path labels, int epochs, boolean warmup)
      throws Exception {
    long compileStart = System.nanoTime();
    Model m = compileResource(TrainStepBench.MODEL_RESOURCE);
    m.initialize(0);
    double compileSeconds = (System.nanoTime() - compileStart) / 1e9;
    long loadStart = System.nanoTime();
    Dataset train;
    Dataset validation;
    // as gradc train: the kernels warm up on a copy while the data loads
    try (Warmup jit = warmup ? Warmup.start(m, BATCH) : Warmup.none()) {
      DataSource source = DataSource.fashionMnist(images.getParent());
      train = source.train().forModel(m.spec());
      validation = source.test().forModel(m.spec());
    }
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
    ThreadTimes.Span[] training = new ThreadTimes.Span[epochs];
    ThreadTimes.Span[] validating = new ThreadTimes.Span[epochs];
    ThreadTimes[] last = {null};
    ThreadTimes[] lastStep = {null};
    Trainer trainer =
        Trainer.of(m)
            .epochs(epochs)
            .batchSize(BATCH)
            .shuffle(7)
            .validate(validation)
            .progress(Progress.NONE)
            .listener(
                new org.gradc.runtime.train.TrainingListener() {
                  @Override
                  public void onBatchEnd(org.gradc.runtime.train.TrainingContext c) {
                    if (c.batch() == c.batches()) {
                      lastStep[0] = ThreadTimes.now();
                    }
                  }

                  @Override
                  public void onEpochEnd(org.gradc.runtime.train.TrainingContext c) {
                    ThreadTimes now = ThreadTimes.now();
                    int e = c.epoch() - 1;
                    training[e] = lastStep[0].since(last[0]);
                    validating[e] = now.since(lastStep[0]);
                    last[0] = now;
                    System.err.println(
                        training[e]
                            .plus(validating[e])
                            .describe("Trainer.fit, epoch " + c.epoch()));
                    System.err.printf(
                        Locale.ROOT,
                        "  of which training %.3f s (thread CPU %.3f), validation %.3f s (%.3f)%n",
                        training[e].wall(),
                        training[e].cpu(),
                        validating[e].wall(),
                        validating[e].cpu());
                  }
                });
    last[0] = ThreadTimes.now();
    History h = trainer.fit(train);
    int warm = epochs > 1 ? 1 : 0;
    for (int e = 1; e < epochs; e++) {
      warm =
          training[e].plus(validating[e]).wall() < training[warm].plus(validating[warm]).wall()
              ? e
              : warm;
    }
    return String.format(
        Locale.ROOT,
        "{\"epochs\": %d, \"compile_s\": %.4f, \"load_s\": %.4f, %s%s%s%s%s\"val_accuracy\":"
            + " %.4f, \"peak_rss_mb\": %.1f}",
        epochs,
        compileSeconds,
        loadSeconds,
        training[0].plus(validating[0]).json("first_epoch"),
        training[warm].plus(validating[warm]).json("epoch"),
        training[warm].json("train"),
        validating[0].json("first_val"),
        validating[warm].json("val"),
        h.last().get(Metric.VAL_ACCURACY),
        peakRssMb());
  }

  /**
   * The trainer's overhead measured in one JVM: after two warm-up rounds, ROUNDS rounds of one bare
   * feed/trainStep epoch, one {@link Trainer#fit} epoch (validation on the test set, training
   * accuracy on) and one {@code fit} epoch without validation ({@code fit_noval_*}: the trainer's
   * own work, with validation's share the difference) on the same model, in turn, each timed by the
   * wall clock and by the training thread's CPU time; reports the best of each and their ratios.
   * Both sides run the same compiled kernels with the same JIT state, so the ratio is the trainer's
   * own cost, free of run-to-run JIT and data-layout differences; the thread CPU ratio also holds
   * on a loaded machine.
   */
  private static String overhead(Path images, Path labels, int rounds) throws Exception {
    Model m = compileResource(TrainStepBench.MODEL_RESOURCE);
    m.initialize(0);
    DataSource source = DataSource.fashionMnist(images.getParent());
    Dataset train = source.train().forModel(m.spec());
    Dataset validation = source.test().forModel(m.spec());
    FloatColumn xs = (FloatColumn) train.column("x");
    IntColumn ys = (IntColumn) train.column("y");
    int rows = train.size();
    float[][] xBuf = {new float[BATCH * 784], new float[(rows % BATCH) * 784]};
    int[][] yBuf = {new int[BATCH], new int[rows % BATCH]};
    // best wall and thread CPU of: the bare loop, fit with validation, fit without
    double[] best = new double[6];
    Arrays.fill(best, Double.MAX_VALUE);
    for (int round = -2; round < rounds; round++) {
      long wall = System.nanoTime();
      long cpu = threadCpuNanos();
      int[] order = train.order(7, round + 3);
      for (int from = 0; from < rows; from += BATCH) {
        int n = Math.min(BATCH, rows - from);
        int b = n == BATCH ? 0 : 1;
        xs.gather(order, from, from + n, xBuf[b]);
        ys.gather(order, from, from + n, yBuf[b]);
        m.feed("x", xBuf[b]);
        m.feed("y", yBuf[b]);
        m.trainStep();
      }
      double[] times = new double[6];
      times[0] = (System.nanoTime() - wall) / 1e9;
      times[1] = (threadCpuNanos() - cpu) / 1e9;
      for (int side = 1; side <= 2; side++) {
        wall = System.nanoTime();
        cpu = threadCpuNanos();
        Trainer.of(m)
            .epochs(1)
            .batchSize(BATCH)
            .shuffle(7 + round)
            .validate(side == 1 ? validation : null)
            .progress(Progress.NONE)
            .fit(train);
        times[2 * side] = (System.nanoTime() - wall) / 1e9;
        times[2 * side + 1] = (threadCpuNanos() - cpu) / 1e9;
      }
      if (round >= 0) {
        for (int i = 0; i < best.length; i++) {
          best[i] = Math.min(best[i], times[i]);
        }
      }
    }
    return String.format(
        Locale.ROOT,
        "{\"rounds\": %d, \"bare_epoch_s\": %.4f, \"bare_epoch_cpu_s\": %.4f, \"fit_epoch_s\":"
            + " %.4f, \"fit_epoch_cpu_s\": %.4f, \"fit_noval_epoch_s\": %.4f,"
            + " \"fit_noval_epoch_cpu_s\": %.4f, \"overhead_ratio\": %.4f,"
            + " \"overhead_cpu_ratio\": %.4f, \"noval_ratio\": %.4f, \"noval_cpu_ratio\": %.4f,"
            + " \"peak_rss_mb\": %.1f}",
        rounds,
        best[0],
        best[1],
        best[2],
        best[3],
        best[4],
        best[5],
        best[2] / best[0],
        best[3] / best[1],
        best[4] / best[0],
        best[5] / best[1],
        peakRssMb());
  }

  /** A model whose step costs almost nothing, so that a loop around it times the loop. */
  static final String TINY =
      """
      model Tiny
      input x: float[batch, 2]
      input y: int[batch]
      param W: float[2, 2] = glorot_uniform
      logits = x @ W
      output probs = softmax(logits)
      loss mean(cross_entropy(logits, y, classes = 2))
      optimizer sgd(lr = 0.01)
      """;

  /**
   * The trainer's own cost per step, free of the kernels': on a 2 × 2 model (a step of about a
   * microsecond) and 60,000 random rows, ROUNDS rounds of one bare feed/trainStep epoch and one
   * {@link Trainer#fit} epoch (no validation, training accuracy on, batch 64), alternating; the
   * best of each after four warm-up rounds, in microseconds a step, and their difference. Run it
   * with and without {@code -XX:-UseOnStackReplacement} ({@code gradc train} turns OSR off).
   */
  private static String trainerStep(int rounds) throws Exception {
    Model m = Gradc.compile(new SourceFile("Tiny.grad", TINY), Gradc.Options.defaults());
    m.initialize(0);
    int rows = 60_000;
    float[] x = new float[rows * 2];
    int[] y = new int[rows];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble();
    }
    for (int i = 0; i < rows; i++) {
      y[i] = r.nextInt(2);
    }
    Dataset data =
        Dataset.of(new FloatColumn("x", new int[] {2}, x), new IntColumn("y", new int[] {1}, y));
    float[][] xBuf = {new float[BATCH * 2], new float[(rows % BATCH) * 2]};
    int[][] yBuf = {new int[BATCH], new int[rows % BATCH]};
    int steps = data.batchCount(BATCH);
    Trainer trainer = Trainer.of(m).epochs(1).batchSize(BATCH).shuffle(3).progress(Progress.NONE);
    double bestBare = Double.MAX_VALUE;
    double bestFit = Double.MAX_VALUE;
    for (int round = -4; round < rounds; round++) {
      long t0 = System.nanoTime();
      bareEpoch(m, data, data.order(3, round + 5), xBuf, yBuf);
      double bare = (System.nanoTime() - t0) / 1e3 / steps;
      t0 = System.nanoTime();
      trainer.fit(data);
      double fit = (System.nanoTime() - t0) / 1e3 / steps;
      if (round >= 0) {
        bestBare = Math.min(bestBare, bare);
        bestFit = Math.min(bestFit, fit);
      }
    }
    return String.format(
        Locale.ROOT,
        "{\"rounds\": %d, \"bare_us_per_step\": %.3f, \"fit_us_per_step\": %.3f,"
            + " \"trainer_us_per_step\": %.3f}",
        rounds,
        bestBare,
        bestFit,
        bestFit - bestBare);
  }

  /**
   * One bare epoch: gather, feed, step. A method of its own so that it is compiled by call count
   * even without on-stack replacement, like the trainer's step.
   */
  private static void bareEpoch(Model m, Dataset data, int[] order, float[][] xBuf, int[][] yBuf) {
    FloatColumn xs = (FloatColumn) data.column("x");
    IntColumn ys = (IntColumn) data.column("y");
    Stepper feedAndStep =
        (x, y, n) -> {
          m.feed("x", x);
          m.feed("y", y);
          return m.trainStep();
        };
    int rows = data.size();
    for (int from = 0; from < rows; from += BATCH) {
      mlpStep(feedAndStep, xs, ys, order, from, Math.min(BATCH, rows - from), xBuf, yBuf);
    }
  }

  /**
   * One-example inference latency: {@code calls} predictions (each a batch of one: feed, forward
   * pass, softmax probabilities copied out) after as many warm-up calls, each timed on its own. The
   * inputs cycle through 64 random images; gradc's output is read from the live output buffer, so
   * neither side allocates by design, and the bytes the thread allocated are reported per call.
   */
  static String predict(boolean gradc, int calls) throws Exception {
    float[][] xs = new float[64][];
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < xs.length; i++) {
      xs[i] = new float[784];
      for (int j = 0; j < 784; j++) {
        xs[i][j] = (float) r.nextDouble();
      }
    }
    float[] probs = new float[10];
    Predictor p;
    if (gradc) {
      Model m = compileResource(TrainStepBench.MODEL_RESOURCE);
      m.initialize(0);
      m.feed("x", xs[0]);
      float[] live = (float[]) m.tensor(TensorKind.OUTPUT, "probs");
      p =
          x -> {
            m.feed("x", x);
            m.forward();
            System.arraycopy(live, 0, probs, 0, 10);
          };
    } else {
      HandWrittenMlp h = new HandWrittenMlp(1, 0);
      p = x -> h.predict(x, probs);
    }
    long[] nanos = new long[calls];
    for (int i = 0; i < calls; i++) {
      p.predict(xs[i & 63]);
    }
    com.sun.management.ThreadMXBean bean =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long allocated = bean.getThreadAllocatedBytes(tid);
    for (int i = 0; i < calls; i++) {
      long t0 = System.nanoTime();
      p.predict(xs[i & 63]);
      nanos[i] = System.nanoTime() - t0;
    }
    allocated = bean.getThreadAllocatedBytes(tid) - allocated;
    Arrays.sort(nanos);
    return String.format(
        Locale.ROOT,
        "{\"calls\": %d, \"median_us\": %.3f, \"p99_us\": %.3f, \"alloc_bytes_per_call\": %.2f,"
            + " \"peak_rss_mb\": %.1f}",
        calls,
        nanos[calls / 2] / 1e3,
        nanos[(int) (calls * 0.99)] / 1e3,
        (double) allocated / calls,
        peakRssMb());
  }

  /** One prediction into a buffer the caller owns. */
  interface Predictor {
    void predict(float[] x);
  }

  private static String xor(boolean gradc, int steps) throws Exception {
    Stepper stepper;
    if (gradc) {
      Model m = compileResource("xor.grad");
      m.initialize(0);
      m.feed("x", HandWrittenXor.X);
      m.feed("y", HandWrittenXor.Y);
      stepper = (x, y, n) -> m.trainStep();
    } else {
      HandWrittenXor h = new HandWrittenXor(0);
      stepper = (x, y, n) -> h.trainStep(0.1f);
    }
    double loss = 0;
    for (int i = 0; i < steps; i++) {
      loss = stepper.step(null, null, 4);
    }
    long start = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      loss = stepper.step(null, null, 4);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return String.format(
        Locale.ROOT,
        "{\"steps\": %d, \"seconds\": %.5f, \"loss\": %.6g, \"peak_rss_mb\": %.1f}",
        steps,
        seconds,
        loss,
        peakRssMb());
  }

  /**
   * CPU time of the calling thread: with one training thread, the work of the loop itself, which a
   * loaded machine delays but does not inflate the way it inflates wall time (the JIT's compiler
   * threads are not counted).
   */
  static long threadCpuNanos() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  /** VmHWM from /proc/self/status: the peak resident set of this process. */
  static double peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * The calling thread's CPU time and allocated bytes from {@link #start}: a step whose kernels all
   * run as compiled vector code allocates almost nothing (the LSTM's k-blocked panels, about 190
   * KB), one with a kernel compiled as the Vector API's Java fallback allocates megabytes
   * (docs/performance.md), whatever the load does to the wall time.
   */
  private record StepMeter(long cpu0, long bytes0) {
    private static com.sun.management.ThreadMXBean bean() {
      return (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    }

    static StepMeter start() {
      return new StepMeter(
          bean().getCurrentThreadCpuTime(),
          bean().getThreadAllocatedBytes(Thread.currentThread().getId()));
    }

    /** CPU milliseconds per step over {@code steps} steps since {@link #start}. */
    double cpuMs(int steps) {
      return (bean().getCurrentThreadCpuTime() - cpu0) / 1e6 / steps;
    }

    /** Kilobytes allocated per step over {@code steps} steps since {@link #start}. */
    double allocKb(int steps) {
      return (bean().getThreadAllocatedBytes(Thread.currentThread().getId()) - bytes0)
          / 1e3
          / steps;
    }
  }
}
