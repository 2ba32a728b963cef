package org.gradc.runtime.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.gradc.runtime.Model;
import org.gradc.runtime.RowTeam;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.io.Checkpoint;
import org.gradc.runtime.io.CheckpointException;
import org.gradc.runtime.io.Provenance;

/**
 * Trains a model on a {@link Dataset} by mini-batch steps:
 *
 * <pre>{@code
 * History h = Trainer.of(model).epochs(10).batchSize(64).shuffle(7)
 *     .validate(test).schedule(LrSchedule.cosine(0)).earlyStopping(3)
 *     .fit(train);
 * }</pre>
 *
 * <h2>What a run does</h2>
 *
 * <ul>
 *   <li>Before the first step it checks the data against the model's inputs (each input is fed from
 *       the column of the same name; see {@link Dataset#requireInputs}) and that every metric it is
 *       asked to monitor is one the run records.
 *   <li>Epoch e visits the rows in the order {@link Dataset#order(long, long) order(seed, e)} (or
 *       in file order without {@link #shuffle}); the final partial batch is trained, not dropped.
 *       Before every step the {@code lr} hyper-parameter is set from the {@link LrSchedule}.
 *   <li>Metrics: {@link Metric#LOSS} (mean of the batch losses before their updates, weighted by
 *       rows — exact for a model whose loss is a per-example mean), {@link Metric#LR}, {@link
 *       Metric#SECONDS}; for a classifier (an int input with classes &gt; 0 and an output whose
 *       last extent is that number) {@link Metric#ACCURACY}; with validation data {@link
 *       Metric#VAL_LOSS} and {@link Metric#VAL_ACCURACY}.
 *   <li>Training accuracy, like the training loss, is that of the training steps themselves: the
 *       predictions each step's own forward pass made (with the parameters before its update),
 *       counted from the outputs the step leaves, so it costs no extra pass. For a model with
 *       dropout or batch norm those are training-mode predictions (dropout active, batch
 *       statistics), as the accuracy Keras and PyTorch training loops report; the evaluation-mode
 *       accuracy is {@link Metric#VAL_ACCURACY} (or {@link #evaluate} on the training data).
 *   <li>Validation runs the model's evaluate entry point (evaluation mode, no backward pass: the
 *       gradients, parameters and optimizer state are left as the last step left them) in batches
 *       of the training batch size.
 *   <li>A NaN or infinite loss stops the run with a {@link TrainingException} naming the epoch and
 *       step, and the model is put back to the state after the last step with a finite loss. The
 *       loss a step returns is computed before its (fused) update, which has already run with
 *       non-finite gradients, so that state is recovered without any per-step copying: the trainer
 *       snapshots parameters and optimizer state once per epoch and, on failure, restores the
 *       snapshot and replays the epoch's good steps, which is exact because each step is a
 *       deterministic function of the state, the batch and the schedule. (A listener that changes
 *       hyper-parameters mid-epoch makes that replay inexact.)
 *   <li>With {@link #checkpoint(Path)} the model is saved after every epoch with the trainer's
 *       state; {@link #resume(Path)} loads such a file and continues with the next epoch,
 *       bit-identically to a run that was never interrupted (same data, batch size and seed are
 *       required and checked).
 * </ul>
 */
public final class Trainer {
  private final Model model;
  private int epochs = 1;
  private int batchSize = 32;
  private Long shuffleSeed;
  private Dataset validation;
  private LrSchedule schedule = LrSchedule.constant();
  private Double baseLr;
  private Metric monitor;
  private int patience;
  private double minDelta;
  private boolean restoreBest;
  private boolean trainAccuracy = true;
  private final List<TrainingListener> listeners = new ArrayList<>();
  private Progress progress = Progress.AUTO;
  private PrintStream out = System.err;
  private LongSupplier clock = System::nanoTime;
  private Path checkpoint;
  private Path resume;
  private Provenance provenance = Provenance.NONE;
  private int threads = 1;
  private boolean dataParallel;

  private Trainer(Model model) {
    this.model = model;
  }

  public static Trainer of(Model model) {
    return new Trainer(model);
  }

  public Trainer epochs(int epochs) {
    if (epochs <= 0) {
      throw new IllegalArgumentException("epochs must be positive, was " + epochs);
    }
    this.epochs = epochs;
    return this;
  }

  public Trainer batchSize(int batchSize) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, was " + batchSize);
    }
    this.batchSize = batchSize;
    return this;
  }

  /** Shuffles every epoch with the order {@code order(seed, epoch)}; default: no shuffling. */
  public Trainer shuffle(long seed) {
    this.shuffleSeed = seed;
    return this;
  }

  /** Data to compute {@link Metric#VAL_LOSS} (and accuracy) on after every epoch. */
  public Trainer validate(Dataset validation) {
    this.validation = validation;
    return this;
  }

  /** The learning-rate schedule (default constant). */
  public Trainer schedule(LrSchedule schedule) {
    this.schedule = schedule;
    return this;
  }

  /** The base learning rate (default: the model's {@code lr} when {@link #fit} starts). */
  public Trainer lr(double lr) {
    this.baseLr = lr;
    return this;
  }

  /**
   * Sets an optimizer hyper-parameter on the model now.
   *
   * @throws IllegalArgumentException at once if the optimizer has no such hyper-parameter
   */
  public Trainer hyper(String name, double value) {
    model.hyperParameter(name, value);
    return this;
  }

  /** Stops when {@link Metric#VAL_LOSS} has not improved for {@code patience} epochs. */
  public Trainer earlyStopping(int patience) {
    return earlyStopping(Metric.VAL_LOSS, patience, 0, false);
  }

  /**
   * Stops when {@code monitor} has not improved by more than {@code minDelta} for {@code patience}
   * epochs; with {@code restoreBest} the model ends with the parameters of the best epoch.
   */
  public Trainer earlyStopping(Metric monitor, int patience, double minDelta, boolean restoreBest) {
    if (patience <= 0) {
      throw new IllegalArgumentException("patience must be positive, was " + patience);
    }
    this.monitor = monitor;
    this.patience = patience;
    this.minDelta = minDelta;
    this.restoreBest = restoreBest;
    return this;
  }

  /**
   * Whether to record training accuracy ({@link Metric#ACCURACY}, counted from each step's own
   * outputs: an argmax per row, no extra pass); default true.
   */
  public Trainer trainAccuracy(boolean on) {
    this.trainAccuracy = on;
    return this;
  }

  public Trainer listener(TrainingListener listener) {
    listeners.add(listener);
    return this;
  }

  /** Shorthand for a listener with only {@link TrainingListener#onEpochEnd}. */
  public Trainer onEpochEnd(Consumer<TrainingContext> action) {
    return listener(
        new TrainingListener() {
          @Override
          public void onEpochEnd(TrainingContext context) {
            action.accept(context);
          }
        });
  }

  /** How to report progress (default {@link Progress#AUTO}), and where (default stderr). */
  public Trainer progress(Progress mode, PrintStream out) {
    this.progress = mode;
    this.out = out;
    return this;
  }

  public Trainer progress(Progress mode) {
    return progress(mode, out);
  }

  /** The clock for rates and ETAs (nanoseconds); for tests. */
  Trainer clock(LongSupplier nanos) {
    this.clock = nanos;
    return this;
  }

  /** Saves a resumable checkpoint to {@code file} after every epoch (atomically). */
  public Trainer checkpoint(Path file) {
    this.checkpoint = file;
    return this;
  }

  /** Provenance written into checkpoints (the data fingerprint is filled in by the trainer). */
  public Trainer provenance(Provenance provenance) {
    this.provenance = provenance;
    return this;
  }

  /**
   * Continues the run saved in {@code file} by {@link #checkpoint}: loads the model and the
   * trainer's state, then trains the epochs after the saved one.
   */
  public Trainer resume(Path file) {
    this.resume = file;
    return this;
  }

  /**
   * Trains on {@code k} threads (default 1) inside each step: the model's large products (a
   * generated model's matmuls of at least {@code RowSplit.MIN_WORK} multiply-adds, the forward pass
   * of validation included) split their output rows across a {@link RowTeam} of {@code k} threads
   * started for the run and closed after it. The results are <b>bit-identical to one thread's</b>:
   * every row is computed by the same code whichever thread runs it. Unlike {@link #dataParallel},
   * the gradient is not split over model replicas, so nothing is summed twice or copied; kernels
   * below the threshold run on the calling thread. A model without split kernels (hand-written, or
   * compiled with the scalar back end) trains on one thread.
   */
  public Trainer threads(int k) {
    if (k <= 0) {
      throw new IllegalArgumentException("threads must be positive, was " + k);
    }
    this.threads = k;
    this.dataParallel = false;
    return this;
  }

  /**
   * Data-parallel training on {@code k} threads: every batch is split into {@code k} shards whose
   * gradients are computed on model replicas at once, summed in shard order (weighted by shard rows
   * / batch rows) and applied once; the result for a seed does not depend on thread timing, but
   * differs from one thread's in the last bits (the shards' sums round differently). See {@link
   * ParallelStepRunner} for the exact arithmetic; it is what {@code SparkTrainer} reproduces across
   * machines. Needs a generated model (one with {@link Model#applyGradients}). Replaces {@link
   * #threads}'s setting (the last call wins).
   */
  public Trainer dataParallel(int k) {
    threads(k);
    this.dataParallel = true;
    return this;
  }

  /** The metrics a run of this trainer on this model records. */
  List<Metric> recordedMetrics(Feeder.Task task) {
    List<Metric> m = new ArrayList<>(List.of(Metric.LOSS));
    if (task != null && trainAccuracy) {
      m.add(Metric.ACCURACY);
    }
    if (validation != null) {
      m.add(Metric.VAL_LOSS);
      if (task != null) {
        m.add(Metric.VAL_ACCURACY);
      }
    }
    m.add(Metric.LR);
    m.add(Metric.SECONDS);
    return m;
  }

  /**
   * Trains, and returns the metrics of every epoch.
   *
   * @throws org.gradc.runtime.data.DataException if the data does not fit the model's inputs
   * @throws IllegalArgumentException if a monitored metric is not recorded by this run
   * @throws TrainingException if the loss becomes NaN or infinite
   * @throws CheckpointException if a checkpoint cannot be written, or the resume file is refused
   */
  public History fit(Dataset train) {
    return new Run(train).run();
  }

  /**
   * Loss (and accuracy, for a classifier) of {@code model} on {@code data}, in batches of {@code
   * batchSize}, by the model's evaluate entry point: no backward pass, so parameters, gradients and
   * optimizer state are left as they are.
   */
  public static Metrics evaluate(Model model, Dataset data, int batchSize) {
    data.requireInputs(model.spec(), "evaluation data");
    Feeder.Task task = Feeder.Task.of(model);
    double[] r = evaluate(model, data, batchSize, task);
    Map<Metric, Double> m = new LinkedHashMap<>();
    m.put(Metric.LOSS, r[0]);
    if (task != null) {
      m.put(Metric.ACCURACY, r[1]);
    }
    return new Metrics(m);
  }

  private static double[] evaluate(Model model, Dataset data, int batchSize, Feeder.Task task) {
    Feeder feeder = new Feeder(model, data, batchSize, task);
    int[] order = new int[data.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    double loss = 0;
    long correct = 0;
    for (int from = 0; from < order.length; from += batchSize) {
      int to = Math.min(order.length, from + batchSize);
      feeder.feed(order, from, to);
      // outputs and loss without a backward pass: the gradients of the last step stay as they are
      loss += model.evaluate() * (to - from);
      if (task != null) {
        correct += feeder.correct(to - from);
      }
    }
    return new double[] {
      loss / data.size(),
      task == null ? 0 : (double) correct / ((long) data.size() * task.positions())
    };
  }

  /** One call of {@link #fit}: the mutable state of a run. */
  private final class Run extends TrainingRun {
    private final Dataset train;
    private final Feeder.Task task;
    private final List<Metric> recorded;
    private final ProgressPrinter printer;
    private double base;
    private double best = Double.NaN;
    private int bestEpoch;
    private int badEpochs;
    private String dataFingerprint;

    /** Whether steps count their correct predictions ({@link Metric#ACCURACY} is recorded). */
    private final boolean countCorrect;

    Run(Dataset train) {
      super(model, epochs, train.batchCount(batchSize));
      this.train = train;
      train.requireInputs(model.spec(), "training data");
      if (validation != null) {
        validation.requireInputs(model.spec(), "validation data");
      }
      this.task = Feeder.Task.of(model);
      this.recorded = recordedMetrics(task);
      this.countCorrect = recorded.contains(Metric.ACCURACY);
      if (monitor != null && !recorded.contains(monitor)) {
        throw new IllegalArgumentException(
            "early stopping monitors '"
                + monitor.name()
                + "', but this run records "
                + recorded
                + (monitor.name().startsWith("val_") && validation == null
                    ? " (add validation data with validate(...))"
                    : ""));
      }
      this.printer = new ProgressPrinter(progress, out, clock);
    }

    History run() {
      base = baseLr != null ? baseLr : model.hyperParameter("lr");
      int first = 1;
      if (resume != null) {
        first = resumeFrom(resume);
      }
      if (threads == 1) {
        return run(first, StepRunner.serial(model, new Feeder(model, train, batchSize, task)));
      }
      if (dataParallel) {
        try (ParallelStepRunner parallel =
            new ParallelStepRunner(model, train, batchSize, threads)) {
          return run(first, parallel);
        }
      }
      RowTeam before = model.team();
      try (RowTeam team = new RowTeam(threads)) {
        model.team(team);
        return run(first, StepRunner.serial(model, new Feeder(model, train, batchSize, task)));
      } finally {
        model.team(before);
      }
    }

    private History run(int first, StepRunner runner) {
      Snapshot epochStart = new Snapshot(model);
      Snapshot bestState = restoreBest ? new Snapshot(model) : null;
      epoch = first;
      for (TrainingListener l : listeners) {
        l.onTrainStart(this);
      }
      for (epoch = first; epoch <= epochs && !stop; epoch++) {
        long t0 = clock.getAsLong();
        printer.epochStart();
        int[] order =
            shuffleSeed != null ? train.order(shuffleSeed, epoch) : identity(train.size());
        epochStart.take();
        EpochSums sums = new EpochSums(base);
        for (batch = 0; batch < batches && !stop; ) {
          trainBatch(runner, order, sums, epochStart);
        }
        double lossSum = sums.lossSum;
        long correct = sums.correct;
        int seen = sums.seen;
        double lr = sums.lr;
        Map<Metric, Double> m = new LinkedHashMap<>();
        m.put(Metric.LOSS, lossSum / seen);
        if (recorded.contains(Metric.ACCURACY)) {
          m.put(Metric.ACCURACY, (double) correct / ((long) seen * task.positions()));
        }
        if (validation != null) {
          double[] v = evaluate(model, validation, batchSize, task);
          m.put(Metric.VAL_LOSS, v[0]);
          if (task != null) {
            m.put(Metric.VAL_ACCURACY, v[1]);
          }
        }
        m.put(Metric.LR, lr);
        double seconds = (clock.getAsLong() - t0) / 1e9;
        m.put(Metric.SECONDS, seconds);
        current = new Metrics(m);
        history.add(current);
        printer.epochEnd(epoch, epochs, current, seen, seconds);
        boolean wasStopped = stop;
        if (stop) {
          history.stopReason("stopped by a listener at epoch " + epoch + ", step " + model.steps());
        }
        for (TrainingListener l : listeners) {
          l.onEpochEnd(this);
        }
        if (stop && !wasStopped) {
          history.stopReason("stopped by a listener after epoch " + epoch);
        }
        if (monitor != null && earlyStop(bestState)) {
          stop = true;
        }
        if (checkpoint != null) {
          save(checkpoint);
        }
      }
      epoch = Math.max(1, epoch - 1);
      if (bestState != null && stop && bestEpoch > 0) {
        bestState.restore();
      }
      if (history.stopReason() != null) {
        printer.message(history.stopReason());
      }
      for (TrainingListener l : listeners) {
        l.onTrainEnd(this);
      }
      return history;
    }

    /**
     * One step of the epoch: batch {@link #batch} of {@code order}, then the running metrics, the
     * progress line and the listeners. A method of its own, not the body of {@link #run}'s loop:
     * {@code run} is called once per fit, so HotSpot compiles its loop only by on-stack
     * replacement, which {@code gradc train} turns off (the launcher's JIT options), and the loop
     * body then ran in the interpreter at every step (about 14 µs a step more than the bare loop;
     * docs/performance.md, "Trainer.fit's wall clock"). Called once per step, this method is
     * compiled like any other.
     */
    private void trainBatch(StepRunner runner, int[] order, EpochSums sums, Snapshot epochStart) {
      int from = batch * batchSize;
      int to = Math.min(train.size(), from + batchSize);
      long runStep = (long) (epoch - 1) * batches + batch;
      double lr = schedule.lr(base, epoch, runStep, totalSteps);
      model.hyperParameter("lr", lr);
      StepRunner.Result r = runner.step(order, from, to, countCorrect);
      if (!Double.isFinite(r.loss())) {
        fail(r.loss(), epochStart, runner, order, runStep - batch);
      }
      sums.lossSum += r.loss() * (to - from);
      sums.correct += r.correct();
      sums.seen = to;
      sums.lr = lr;
      batch++;
      running(sums.lossSum / to, lr);
      printer.batch(epoch, epochs, to, train.size(), sums.lossSum / to);
      for (TrainingListener l : listeners) {
        l.onBatchEnd(this);
      }
    }

    private boolean earlyStop(Snapshot bestState) {
      double v = current.get(monitor);
      boolean better =
          Double.isNaN(best)
              || (monitor.higherIsBetter() ? v > best + minDelta : v < best - minDelta);
      if (better) {
        best = v;
        bestEpoch = epoch;
        badEpochs = 0;
        if (bestState != null) {
          bestState.take();
        }
        return false;
      }
      badEpochs++;
      if (badEpochs < patience) {
        return false;
      }
      history.stopReason(
          String.format(
              java.util.Locale.ROOT,
              "early stopping after epoch %d: %s has not improved for %d epochs (best %.4f at"
                  + " epoch %d)",
              epoch,
              monitor.name(),
              badEpochs,
              best,
              bestEpoch));
      return true;
    }

    /**
     * The loss of step {@code batch} was not finite: put the model back to the state after the
     * previous step (restore the epoch's snapshot, replay its good steps) and stop.
     */
    private void fail(double loss, Snapshot epochStart, StepRunner runner, int[] order, long s0) {
      long failed = model.steps();
      epochStart.restore();
      for (int b = 0; b < batch; b++) {
        int from = b * batchSize;
        model.hyperParameter("lr", schedule.lr(base, epoch, s0 + b, totalSteps));
        runner.step(order, from, Math.min(train.size(), from + batchSize), false);
      }
      String msg =
          "loss became "
              + loss
              + " at epoch "
              + epoch
              + ", step "
              + failed
              + " (batch "
              + (batch + 1)
              + " of "
              + batches
              + "); training stopped, the model keeps the parameters after step "
              + model.steps()
              + " (try a smaller learning rate)";
      printer.message(msg);
      throw new TrainingException(msg, history);
    }

    // ---- checkpoint / resume ----

    private static final String T = "gradc.trainer.";

    private String dataFingerprint() {
      if (dataFingerprint == null) {
        dataFingerprint = train.fingerprint();
      }
      return dataFingerprint;
    }

    private void save(Path file) {
      Map<String, String> s = new LinkedHashMap<>();
      s.put(T + "epoch", Integer.toString(epoch));
      s.put(T + "batch_size", Integer.toString(batchSize));
      s.put(T + "shuffle", shuffleSeed == null ? "none" : Long.toString(shuffleSeed));
      s.put(T + "base_lr", Double.toString(base));
      s.put(T + "best", Double.toString(best));
      s.put(T + "best_epoch", Integer.toString(bestEpoch));
      s.put(T + "bad_epochs", Integer.toString(badEpochs));
      s.put(T + "history", history.toCsv());
      saveMaskSeed(s, T);
      Provenance p =
          new Provenance(
              provenance.sourceHash(),
              provenance.compilerVersion(),
              provenance.seed(),
              dataFingerprint());
      Checkpoint.save(model, file, p, s);
    }

    private int resumeFrom(Path file) {
      Checkpoint.Info info = Checkpoint.load(model, file);
      String done = info.get(T + "epoch");
      if (done == null) {
        throw new CheckpointException(
            file + ": not a training checkpoint (no gradc.trainer.epoch); it cannot be resumed");
      }
      requireSame(file, "batch size", info.get(T + "batch_size"), Integer.toString(batchSize));
      requireSame(
          file,
          "shuffle seed",
          info.get(T + "shuffle"),
          shuffleSeed == null ? "none" : Long.toString(shuffleSeed));
      requireSame(
          file,
          "training data fingerprint",
          info.provenance().dataFingerprint(),
          dataFingerprint());
      try {
        base = Double.parseDouble(info.get(T + "base_lr"));
        best = Double.parseDouble(info.get(T + "best"));
        bestEpoch = Integer.parseInt(info.get(T + "best_epoch"));
        badEpochs = Integer.parseInt(info.get(T + "bad_epochs"));
        restoreMaskSeed(info, T, file);
        History h = History.fromCsv(info.get(T + "history"));
        for (int e = 1; e <= h.size(); e++) {
          history.add(h.epoch(e));
        }
        int next = Integer.parseInt(done) + 1;
        return next;
      } catch (RuntimeException e) {
        throw new CheckpointException(file + ": malformed trainer state: " + e.getMessage(), e);
      }
    }
  }

  /** The running sums of one epoch's steps. */
  private static final class EpochSums {
    double lossSum;
    long correct;
    int seen;
    double lr;

    EpochSums(double lr) {
      this.lr = lr;
    }
  }

  private static int[] identity(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    return p;
  }
}
