package org.gradc.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.io.Checkpoint;
import org.gradc.runtime.io.CheckpointException;
import org.gradc.runtime.io.Provenance;
import org.gradc.runtime.train.DataParallel;
import org.gradc.runtime.train.History;
import org.gradc.runtime.train.LrSchedule;
import org.gradc.runtime.train.Metric;
import org.gradc.runtime.train.Metrics;
import org.gradc.runtime.train.Trainer;
import org.gradc.runtime.train.TrainingContext;
import org.gradc.runtime.train.TrainingException;
import org.gradc.runtime.train.TrainingListener;
import org.gradc.runtime.train.TrainingRun;

/**
 * Trains a gradc model on a Spark {@code Dataset<Row>}, data-parallel over {@code P} partitions,
 * with the runtime {@link Trainer}'s vocabulary:
 *
 * <pre>{@code
 * SparkTrainer t = SparkTrainer.of(spark, FashionMlp.class).seed(42)
 *     .globalBatch(256).partitions(8).epochs(10).shuffle(7)
 *     .validate(testDf).checkpoint("hdfs:///runs/mlp", 500);
 * History h = t.fit(trainDf);      // columns named after the model's inputs
 * Model trained = t.model();
 * }</pre>
 *
 * <h2>The contract: bit-identical to {@code Trainer.dataParallel(P)}</h2>
 *
 * With {@link #localSteps} 1 (the default), every step: the driver broadcasts the parameters; the
 * task of partition {@code p} computes the gradient of shard {@code p} of the global batch on a
 * model replica ({@link GradientTask}); {@code collect()} returns the shards in partition order;
 * the driver sums them row-weighted in that order and applies the optimizer once. Shards, sum and
 * update are the runtime's {@link DataParallel} code, the same that {@link
 * Trainer#dataParallel(int)} runs, and {@link Layout} puts in partition {@code p} exactly the rows
 * of shard {@code p}. So the parameters after any step, and the loss and accuracy metrics, are
 * bit-identical to {@code Trainer.of(model).dataParallel(P).batchSize(globalBatch)} (with the same
 * {@link #shuffle} seed and {@link #schedule}) on the same rows in the DataFrame's order, whatever
 * the cluster, the scheduling, or task retries. ({@code Trainer.dataParallel(P)} is itself not
 * bit-identical to one thread: the batch sum is reassociated by shard.)
 *
 * <p>Not part of the contract: {@link Metric#SECONDS}; {@link #localSteps} above 1, which is a
 * different algorithm (see there).
 *
 * <h2>Fast failure</h2>
 *
 * {@link #fit} checks, before any Spark job: {@code spark.speculation} is off (a speculative copy
 * of a task would be harmless for the arithmetic but doubles the work; more importantly, clusters
 * that need it have stragglers that synchronous training cannot hide); the global batch is a
 * multiple of the partitions; every model input has a column of a usable type ({@link
 * InputColumn}); and, on the first row, the row sizes. Reading the data then checks every row, and
 * that there are at least as many rows as partitions.
 *
 * <h2>Faults</h2>
 *
 * A task is a pure function of (parameters, epoch layout, step, partition), so Spark's retry of a
 * failed task returns the same bits. Blocks are cached; a lost block is rebuilt from the cached,
 * indexed rows by the same deterministic shuffle. A driver failure ends the run: {@link
 * #checkpoint} and {@link #resume} continue it bit-identically.
 */
public final class SparkTrainer {
  private final SparkSession spark;
  private final ModelSource source;
  private final Model model;
  private int epochs = 1;
  private int globalBatch = 32;
  private Integer partitions;
  private Long shuffleSeed;
  private LrSchedule schedule = LrSchedule.constant();
  private Double baseLr;
  private boolean trainAccuracy = true;
  private int localSteps = 1;
  private org.apache.spark.sql.Dataset<Row> validationRows;
  private org.gradc.runtime.data.Dataset validation;
  private final List<TrainingListener> listeners = new ArrayList<>();
  private String checkpointDir;
  private int checkpointEvery;
  private String resumeDir;
  private Provenance provenance = Provenance.NONE;
  private TaskProbe probe;
  private StepTimings timings = StepTimings.ZERO;

  private SparkTrainer(SparkSession spark, ModelSource source) {
    this.spark = spark;
    this.source = source;
    this.model = source.newModel();
  }

  /** A trainer of a new instance of {@code source}'s model (initialized with seed 0). */
  public static SparkTrainer of(SparkSession spark, ModelSource source) {
    return new SparkTrainer(spark, source);
  }

  /** A trainer of a model class compiled ahead of time (it must be in the application jar). */
  public static SparkTrainer of(SparkSession spark, Class<? extends Model> modelClass) {
    return of(spark, ModelSource.of(modelClass));
  }

  /** The driver's model: the one trained; read it after {@link #fit}. */
  public Model model() {
    return model;
  }

  /** Initializes the model's parameters from {@code seed} now ({@link Model#initialize}). */
  public SparkTrainer seed(long seed) {
    model.initialize(seed);
    return this;
  }

  public SparkTrainer epochs(int epochs) {
    if (epochs <= 0) {
      throw new IllegalArgumentException("epochs must be positive, was " + epochs);
    }
    this.epochs = epochs;
    return this;
  }

  /** Rows per optimizer step over all partitions; must be a multiple of the partitions. */
  public SparkTrainer globalBatch(int rows) {
    if (rows <= 0) {
      throw new IllegalArgumentException("global batch must be positive, was " + rows);
    }
    this.globalBatch = rows;
    return this;
  }

  /**
   * P, the number of shards of every batch and of Spark tasks per step (default: the context's
   * default parallelism, i.e. its task slots). Use no more than the task slots: tasks beyond them
   * run in a second wave, and every step waits for the slowest task.
   */
  public SparkTrainer partitions(int p) {
    if (p <= 0) {
      throw new IllegalArgumentException("partitions must be positive, was " + p);
    }
    this.partitions = p;
    return this;
  }

  /** Shuffles every epoch exactly as {@link Trainer#shuffle(long)} does; default: no shuffle. */
  public SparkTrainer shuffle(long seed) {
    this.shuffleSeed = seed;
    return this;
  }

  public SparkTrainer schedule(LrSchedule schedule) {
    this.schedule = schedule;
    return this;
  }

  /** The base learning rate (default: the model's {@code lr} when {@link #fit} starts). */
  public SparkTrainer lr(double lr) {
    this.baseLr = lr;
    return this;
  }

  /** Sets an optimizer hyper-parameter on the model now (see {@link Trainer#hyper}). */
  public SparkTrainer hyper(String name, double value) {
    model.hyperParameter(name, value);
    return this;
  }

  /**
   * Whether to count training accuracy (from the training step's own predictions, before the
   * update; no extra pass); default true.
   */
  public SparkTrainer trainAccuracy(boolean on) {
    this.trainAccuracy = on;
    return this;
  }

  /**
   * Validation rows, evaluated on the driver after every epoch ({@link Trainer#evaluate}, in
   * batches of the global batch size): they are collected to the driver once, so keep them small.
   */
  public SparkTrainer validate(org.apache.spark.sql.Dataset<Row> rows) {
    this.validationRows = rows;
    this.validation = null;
    return this;
  }

  /** Validation data already on the driver. */
  public SparkTrainer validate(org.gradc.runtime.data.Dataset data) {
    this.validation = data;
    this.validationRows = null;
    return this;
  }

  public SparkTrainer listener(TrainingListener listener) {
    listeners.add(listener);
    return this;
  }

  /** Shorthand for a listener with only {@link TrainingListener#onEpochEnd}. */
  public SparkTrainer onEpochEnd(Consumer<TrainingContext> action) {
    return listener(
        new TrainingListener() {
          @Override
          public void onEpochEnd(TrainingContext context) {
            action.accept(context);
          }
        });
  }

  /**
   * Local SGD: every partition takes {@code h} optimizer steps on its own shards (of {@code h}
   * consecutive global batches) from the same parameters, optimizer state and step count; then the
   * driver averages parameters and optimizer state over the partitions, weighted by rows, in
   * partition order (deterministic, so runs repeat bit for bit). That is one Spark job per {@code
   * h} steps instead of per step, but it is NOT the same algorithm as one machine: each partition
   * follows its own gradient for {@code h} steps with a batch {@code P} times smaller, and averaged
   * Adam moments are not the moments of any single run. Listeners see one batch end per round.
   * Default 1 (synchronous, exact).
   */
  public SparkTrainer localSteps(int h) {
    if (h <= 0) {
      throw new IllegalArgumentException("local steps must be positive, was " + h);
    }
    this.localSteps = h;
    return this;
  }

  /**
   * Saves a checkpoint every {@code everySteps} optimizer steps (with local SGD: at the first round
   * end at or after) into directory {@code dir} of any Hadoop file system ({@code file:/...},
   * {@code hdfs://...}); see {@link HadoopCheckpoints}. The run's state (epoch, step, running
   * metrics, history) goes into the file's metadata, so {@link #resume} continues exactly.
   */
  public SparkTrainer checkpoint(String dir, int everySteps) {
    if (everySteps <= 0) {
      throw new IllegalArgumentException("checkpoint interval must be positive, was " + everySteps);
    }
    this.checkpointDir = dir;
    this.checkpointEvery = everySteps;
    return this;
  }

  /**
   * Continues from the newest checkpoint in {@code dir}: the model, optimizer state and the run's
   * state are loaded when {@link #fit} starts, and the run goes on bit-identically to one never
   * interrupted. The same data, global batch, partitions, shuffle seed and local steps are required
   * and checked.
   */
  public SparkTrainer resume(String dir) {
    this.resumeDir = dir;
    return this;
  }

  /** Provenance written into checkpoints (the data fingerprint is filled in by the trainer). */
  public SparkTrainer provenance(Provenance provenance) {
    this.provenance = provenance;
    return this;
  }

  /** For tests: runs on the executor at the start of every training task. */
  SparkTrainer probe(TaskProbe probe) {
    this.probe = probe;
    return this;
  }

  /** Where the time of the last {@link #fit}'s steps went. */
  public StepTimings timings() {
    return timings;
  }

  /**
   * Trains on {@code train}, whose columns are named after the model's inputs, and returns the
   * metrics of every epoch.
   *
   * @throws IllegalArgumentException for a bad setup (speculation, batch, partitions)
   * @throws org.gradc.runtime.data.DataException if the data do not fit the model's inputs
   * @throws TrainingException if the loss becomes NaN or infinite (the model keeps the parameters
   *     of the last step with a finite loss)
   * @throws CheckpointException if a checkpoint cannot be written, or the resume file is refused
   */
  public History fit(org.apache.spark.sql.Dataset<Row> train) {
    int p = partitions != null ? partitions : spark.sparkContext().defaultParallelism();
    checkSetup(spark.sparkContext().conf(), p);
    List<InputColumn> columns =
        InputColumn.forSchema(model.spec(), train.schema(), "training data");
    org.gradc.runtime.data.Dataset valid = validationData();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    try (TrainingData data = TrainingData.read(jsc, train, columns)) {
      if (data.size() < p) {
        throw new IllegalArgumentException(
            "more partitions ("
                + p
                + ") than training rows ("
                + data.size()
                + "): every partition needs a shard of the first batch");
      }
      return new Run(jsc, data, new Layout(data.size(), globalBatch, p), valid).run();
    }
  }

  /** The checks that need no data. */
  void checkSetup(org.apache.spark.SparkConf conf, int p) {
    if (conf.getBoolean("spark.speculation", false)) {
      throw new IllegalArgumentException(
          "spark.speculation is on: synchronous training waits for every task of a step, and a"
              + " speculative copy only doubles the work; set spark.speculation=false");
    }
    if (globalBatch % p != 0) {
      int lower = globalBatch / p * p;
      throw new IllegalArgumentException(
          "global batch "
              + globalBatch
              + " is not divisible by "
              + p
              + " partitions; use a multiple of "
              + p
              + " (e.g. "
              + (lower > 0 ? lower + " or " : "")
              + (lower + p)
              + ") so that every partition gets an equal shard");
    }
    if (model.spec().ofKind(TensorKind.GRADIENT).isEmpty()) {
      throw new IllegalArgumentException(
          "model " + model.spec().modelName() + " has no loss, so there is nothing to train");
    }
  }

  private org.gradc.runtime.data.Dataset validationData() {
    if (validation != null) {
      validation.requireInputs(model.spec(), "validation data");
      return validation;
    }
    if (validationRows == null) {
      return null;
    }
    List<InputColumn> cols =
        InputColumn.forSchema(model.spec(), validationRows.schema(), "validation data");
    List<PackedRow> rows = new ArrayList<>();
    long i = 0;
    for (Row r : TrainingData.select(validationRows, cols).collectAsList()) {
      rows.add(TrainingData.pack(r, i++, cols));
    }
    if (rows.isEmpty()) {
      throw new org.gradc.runtime.data.DataException("validation data is empty");
    }
    return Block.pack(cols, rows).dataset();
  }

  /**
   * Time per step of the last run, split by where it went (milliseconds, summed over steps):
   * broadcasting the parameters, the Spark job from submission to the last result (it contains the
   * tasks' compute), the tasks' compute itself (mean over partitions, so comparable to one
   * machine), and the driver's sum and update.
   */
  public record StepTimings(
      long steps, double broadcastMs, double jobMs, double computeMs, double driverMs) {
    static final StepTimings ZERO = new StepTimings(0, 0, 0, 0, 0);

    StepTimings plus(double b, double j, double c, double d) {
      return new StepTimings(steps + 1, broadcastMs + b, jobMs + j, computeMs + c, driverMs + d);
    }
  }

  // ---- the run ----

  private static final String K = "gradc.trainer.spark.";

  /** One call of {@link #fit}: the mutable state of a run. */
  private final class Run extends TrainingRun {
    private final JavaSparkContext jsc;
    private final TrainingData data;
    private final Layout layout;
    private final org.gradc.runtime.data.Dataset valid;
    private final int positions;
    private final boolean countCorrect;
    private final List<Object> grads;
    private final List<Object> states;
    private double lossSum;
    private long correct;
    private long seen;
    private double base;
    private long lastCheckpoint;
    private String fingerprint;

    Run(
        JavaSparkContext jsc,
        TrainingData data,
        Layout layout,
        org.gradc.runtime.data.Dataset valid) {
      super(model, epochs, layout.steps());
      this.epoch = 1;
      this.jsc = jsc;
      this.data = data;
      this.layout = layout;
      this.valid = valid;
      this.positions = DataParallel.accuracyPositions(model);
      this.countCorrect = trainAccuracy && positions > 0;
      this.grads = DataParallel.arrays(model, TensorKind.GRADIENT);
      this.states = DataParallel.modelStates(model);
    }

    /** Elements {@code [from, to)} of each shard's returned arrays. */
    private static List<List<Object>> slices(List<List<Object>> in, int from, int to) {
      List<List<Object>> out = new ArrayList<>(in.size());
      for (List<Object> shard : in) {
        out.add(shard.subList(from, to));
      }
      return out;
    }

    History run() {
      base = baseLr != null ? baseLr : model.hyperParameter("lr");
      if (resumeDir != null) {
        resumeFrom(resumeDir);
      }
      lastCheckpoint = model.steps();
      timings = StepTimings.ZERO;
      for (TrainingListener l : listeners) {
        l.onTrainStart(this);
      }
      for (; epoch <= epochs && !stop; epoch++) {
        long t0 = System.nanoTime();
        JavaRDD<Block> blocks = data.blocks(layout, shuffleSeed, epoch);
        double lr = model.hyperParameter("lr");
        while (batch < layout.steps()) {
          lr = localSteps == 1 ? syncStep(blocks) : localRound(blocks);
          current = new Metrics(Map.of(Metric.LOSS, lossSum / seen, Metric.LR, lr));
          for (TrainingListener l : listeners) {
            l.onBatchEnd(this);
          }
          if (checkpointDir != null && model.steps() - lastCheckpoint >= checkpointEvery) {
            save();
          }
          if (stop) {
            break;
          }
        }
        endEpoch(lr, (System.nanoTime() - t0) / 1e9);
      }
      epoch = Math.max(1, epoch - 1);
      for (TrainingListener l : listeners) {
        l.onTrainEnd(this);
      }
      return history;
    }

    /** One synchronous step; returns its learning rate. */
    private double syncStep(JavaRDD<Block> blocks) {
      long runStep = (long) (epoch - 1) * layout.steps() + batch;
      double lr = schedule.lr(base, epoch, runStep, totalSteps);
      model.hyperParameter("lr", lr);
      long a = System.nanoTime();
      Broadcast<Object[]> params = jsc.broadcast(TaskArrays.copyOf(GradientTask.sent(model)));
      long b = System.nanoTime();
      jsc.setJobDescription("gradc step " + (runStep + 1));
      List<ShardOutput> outs =
          collect(
              blocks,
              new GradientTask(
                  source, layout, batch, model.steps(), model.seed(), countCorrect, params, probe));
      long c = System.nanoTime();
      params.destroy(false);
      int n = layout.batchRows(batch);
      List<DataParallel.Shard> shards = new ArrayList<>();
      List<List<Object>> in = new ArrayList<>();
      long ok = 0;
      long compute = 0;
      for (ShardOutput o : outs) {
        if (o.rows() > 0) {
          shards.add(new DataParallel.Shard(o.loss(), o.correct(), o.rows()));
          in.add(o.arrayList());
          ok += o.correct();
          compute += o.computeNanos();
        }
      }
      double loss = DataParallel.loss(shards, n);
      if (!Double.isFinite(loss)) {
        fail(loss);
      }
      int[] rows = shards.stream().mapToInt(DataParallel.Shard::rows).toArray();
      int g = grads.size();
      DataParallel.weightedSum(grads, slices(in, 0, g), rows, n);
      if (!states.isEmpty()) {
        // batch norm's running statistics: the row-weighted mean of the shards', in shard order
        DataParallel.weightedSum(states, slices(in, g, g + states.size()), rows, n);
      }
      model.applyGradients();
      long d = System.nanoTime();
      timings =
          timings.plus((b - a) / 1e6, (c - b) / 1e6, compute / 1e6 / shards.size(), (d - c) / 1e6);
      lossSum += loss * n;
      correct += ok;
      seen += n;
      batch++;
      return lr;
    }

    /** One round of local SGD; returns the learning rate of its last step. */
    private double localRound(JavaRDD<Block> blocks) {
      int h = Math.min(localSteps, layout.steps() - batch);
      long runStep = (long) (epoch - 1) * layout.steps() + batch;
      double[] lrs = new double[h];
      for (int i = 0; i < h; i++) {
        lrs[i] = schedule.lr(base, epoch, runStep + i, totalSteps);
      }
      List<OptimizerKind.HyperParameter> names = model.spec().optimizer().hyperParameters();
      double[] hyper = new double[names.size()];
      for (int i = 0; i < hyper.length; i++) {
        hyper[i] = model.hyperParameter(names.get(i).name());
      }
      List<Object> live = LocalSgdTask.trainable(model);
      long a = System.nanoTime();
      Broadcast<Object[]> state = jsc.broadcast(TaskArrays.copyOf(live));
      long b = System.nanoTime();
      jsc.setJobDescription("gradc local steps " + (runStep + 1) + ".." + (runStep + h));
      List<ShardOutput> outs =
          collect(
              blocks,
              new LocalSgdTask(
                  source,
                  layout,
                  batch,
                  lrs,
                  hyper,
                  model.steps(),
                  model.seed(),
                  countCorrect,
                  state,
                  probe));
      long c = System.nanoTime();
      state.destroy(false);
      List<List<Object>> in = new ArrayList<>();
      int[] rows = new int[outs.size()];
      int total = 0;
      double roundLoss = 0;
      long ok = 0;
      long compute = 0;
      for (int i = 0; i < outs.size(); i++) {
        ShardOutput o = outs.get(i);
        in.add(o.arrayList());
        rows[i] = o.rows();
        total += o.rows();
        roundLoss += o.loss();
        ok += o.correct();
        compute += o.computeNanos();
      }
      if (!Double.isFinite(roundLoss)) {
        fail(roundLoss);
      }
      DataParallel.weightedSum(live, in, rows, total);
      model.steps(model.steps() + h);
      model.hyperParameter("lr", lrs[h - 1]);
      long d = System.nanoTime();
      timings =
          timings.plus((b - a) / 1e6, (c - b) / 1e6, compute / 1e6 / outs.size(), (d - c) / 1e6);
      lossSum += roundLoss;
      correct += ok;
      seen += total;
      batch += h;
      return lrs[h - 1];
    }

    private List<ShardOutput> collect(
        JavaRDD<Block> blocks,
        org.apache.spark.api.java.function.Function2<
                Integer, java.util.Iterator<Block>, java.util.Iterator<ShardOutput>>
            task) {
      List<ShardOutput> outs;
      try {
        // collect() returns the partitions' results in partition order, whatever order they
        // finished in (aggregate() would merge them in finishing order)
        outs = blocks.mapPartitionsWithIndex(task, false).collect();
      } catch (Exception e) {
        throw SparkErrors.unwrap(e);
      }
      for (int i = 0; i < outs.size(); i++) {
        if (outs.get(i).partition() != i) {
          throw new IllegalStateException("shard results out of partition order: " + outs);
        }
      }
      return outs;
    }

    private void fail(double loss) {
      String msg =
          "loss became "
              + loss
              + " at epoch "
              + epoch
              + ", step "
              + (model.steps() + 1)
              + " (batch "
              + (batch + 1)
              + " of "
              + layout.steps()
              + "); training stopped, the model keeps the parameters after step "
              + model.steps()
              + " (try a smaller learning rate)";
      throw new TrainingException(msg, history);
    }

    private void endEpoch(double lr, double seconds) {
      Map<Metric, Double> m = new LinkedHashMap<>();
      m.put(Metric.LOSS, lossSum / seen);
      if (countCorrect) {
        m.put(Metric.ACCURACY, (double) correct / (seen * positions));
      }
      if (valid != null) {
        Metrics v = Trainer.evaluate(model, valid, globalBatch);
        m.put(Metric.VAL_LOSS, v.get(Metric.LOSS));
        if (v.has(Metric.ACCURACY)) {
          m.put(Metric.VAL_ACCURACY, v.get(Metric.ACCURACY));
        }
      }
      m.put(Metric.LR, lr);
      m.put(Metric.SECONDS, seconds);
      current = new Metrics(m);
      history.add(current);
      if (stop) {
        history.stopReason("stopped by a listener at epoch " + epoch + ", step " + model.steps());
      }
      for (TrainingListener l : listeners) {
        l.onEpochEnd(this);
      }
      batch = 0;
      lossSum = 0;
      correct = 0;
      seen = 0;
    }

    // ---- checkpoint / resume ----

    private String fingerprint() {
      if (fingerprint == null) {
        fingerprint = data.fingerprint();
      }
      return fingerprint;
    }

    private Map<String, String> setup() {
      Map<String, String> s = new LinkedHashMap<>();
      s.put(K + "global_batch", Integer.toString(layout.batch()));
      s.put(K + "partitions", Integer.toString(layout.partitions()));
      s.put(K + "shuffle", shuffleSeed == null ? "none" : Long.toString(shuffleSeed));
      s.put(K + "local_steps", Integer.toString(localSteps));
      return s;
    }

    private void save() {
      Map<String, String> s = setup();
      s.put(K + "epoch", Integer.toString(epoch));
      s.put(K + "batch", Integer.toString(batch));
      s.put(K + "loss_sum", Double.toString(lossSum));
      s.put(K + "correct", Long.toString(correct));
      s.put(K + "seen", Long.toString(seen));
      s.put(K + "base_lr", Double.toString(base));
      s.put(K + "history", history.toCsv());
      saveMaskSeed(s, K);
      Provenance p =
          new Provenance(
              provenance.sourceHash(),
              provenance.compilerVersion(),
              provenance.seed(),
              fingerprint());
      new HadoopCheckpoints(checkpointDir, jsc.hadoopConfiguration()).save(model, p, s);
      lastCheckpoint = model.steps();
    }

    private void resumeFrom(String dir) {
      Checkpoint.Info info =
          new HadoopCheckpoints(dir, jsc.hadoopConfiguration()).loadLatest(model);
      if (info.get(K + "epoch") == null) {
        throw new CheckpointException(
            dir + ": not a Spark training checkpoint (no " + K + "epoch); it cannot be resumed");
      }
      for (Map.Entry<String, String> e : setup().entrySet()) {
        requireSame(dir, e.getKey().substring(K.length()), info.get(e.getKey()), e.getValue());
      }
      requireSame(dir, "training data", info.provenance().dataFingerprint(), fingerprint());
      try {
        epoch = Integer.parseInt(info.get(K + "epoch"));
        batch = Integer.parseInt(info.get(K + "batch"));
        lossSum = Double.parseDouble(info.get(K + "loss_sum"));
        correct = Long.parseLong(info.get(K + "correct"));
        seen = Long.parseLong(info.get(K + "seen"));
        base = Double.parseDouble(info.get(K + "base_lr"));
        restoreMaskSeed(info, K, dir);
        History h = History.fromCsv(info.get(K + "history"));
        for (int e = 1; e <= h.size(); e++) {
          history.add(h.epoch(e));
        }
      } catch (RuntimeException e) {
        throw new CheckpointException(dir + ": malformed trainer state: " + e.getMessage(), e);
      }
    }
  }
}
