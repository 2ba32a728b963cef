package org.gradc.runtime;

import java.util.List;

/**
 * The base of every generated model. Applications feed named inputs, run the forward pass, read
 * outputs, compute gradients or take a fused training step; the generated subclass supplies the
 * arithmetic through the protected hooks below.
 *
 * <h2>Contract with generated subclasses</h2>
 *
 * <ul>
 *   <li>The subclass constructor calls {@code super(spec)}, allocates every non-batched buffer
 *       (parameters, gradients, optimizer state), then calls {@link #initialize(long)
 *       initialize(0)}.
 *   <li>{@link #buffer(int)} returns the live array of spec tensor {@code slot} ({@code float[]},
 *       {@code double[]} or {@code int[]} as its {@link DType} says). Arrays of batched tensors
 *       hold at least {@link #capacity()} rows and may hold more; only the first {@code n} rows
 *       matter.
 *   <li>{@link #reserve(int)} grows batched buffers (inputs, outputs, intermediates) to hold {@code
 *       n} rows, keeping nothing; the base calls it before copying inputs in. Nothing is allocated
 *       when {@code n} is not larger than the current capacity.
 *   <li>{@link #runForward}, {@link #runEvaluate}, {@link #runGradients} and {@link #runTrainStep}
 *       read the first {@code n} rows of the inputs; the base has already checked every input's
 *       length and every label's range, so generated code never fails on bad data. They allocate
 *       nothing.
 *   <li>{@link #runTrainStep} reads the hyper-parameters from {@link #hyper} (in {@link
 *       OptimizerKind#hyperParameters()} order) and the 1-based step from {@link #step}, which the
 *       base increments before calling it. {@link #runUpdate} reads them the same way.
 * </ul>
 *
 * <p>Instances are not thread-safe; use {@link #copy()} for one per thread.
 */
public abstract class Model {
  private final ModelSpec spec;

  /** Optimizer hyper-parameters, in {@link OptimizerKind#hyperParameters()} order. */
  protected final double[] hyper;

  /** Optimizer steps taken so far; incremented before {@link #runTrainStep}. */
  protected long step;

  /**
   * The seed dropout masks are drawn with ({@link DropoutMasks}): the one {@link #initialize(long)}
   * was given, or set by {@link #seed(long)}.
   */
  protected long seed;

  /**
   * The row of the whole batch this model's first row is (a data-parallel shard's offset), so a
   * shard draws the dropout mask of its rows exactly as one model given the whole batch would.
   */
  protected long rowOffset;

  private int capacity;
  private int batch = -1;

  protected Model(ModelSpec spec) {
    this.spec = spec;
    this.hyper = spec.hyperDefaults();
    this.hasModelStates =
        !modelStates(spec).isEmpty()
            && spec.ofKind(TensorKind.INPUT).stream().anyMatch(TensorSpec::batched);
  }

  /**
   * The model's own states ({@code state mu: ...}, batch norm's running statistics): the {@link
   * TensorKind#STATE} tensors owned by themselves (optimizer state is owned by its parameter).
   */
  public static List<TensorSpec> modelStates(ModelSpec spec) {
    return spec.ofKind(TensorKind.STATE).stream().filter(t -> t.name().equals(t.of())).toList();
  }

  // ---- implemented by generated code ----

  /** The live array of spec tensor {@code slot}. */
  protected abstract Object buffer(int slot);

  /** Grows every batched buffer to hold at least {@code n} rows. */
  protected abstract void allocate(int n);

  /** Forward pass over the first {@code n} rows: fills outputs. */
  protected abstract void runForward(int n);

  /**
   * Forward pass and loss, without the backward pass: fills outputs, returns the loss, and leaves
   * gradients, parameters and optimizer state untouched. Generated classes of models with a loss
   * override it; the default throws, so hand-written models need not.
   */
  protected double runEvaluate(int n) {
    throw new UnsupportedOperationException(
        getClass().getName() + " has no evaluate entry point (runEvaluate)");
  }

  /**
   * Forward and backward pass in training mode: fills the outputs (their training-mode values:
   * dropout active, batch statistics) and gradients, updates model states (batch norm's running
   * statistics), returns the loss. Parameters are untouched. The default throws: inference-only
   * classes have no training code.
   */
  protected double runGradients(int n) {
    throw inferenceOnly();
  }

  /**
   * Forward, backward and optimizer update, fused; fills the outputs as {@link #runGradients} does
   * and updates model states; returns the loss before the update (the outputs are before it too).
   * The default throws: inference-only classes have no training code.
   */
  protected double runTrainStep(int n) {
    throw inferenceOnly();
  }

  private UnsupportedOperationException inferenceOnly() {
    return new UnsupportedOperationException(
        getClass().getName()
            + " is an inference-only class (gradc compile --inference): it has forward() and"
            + " evaluate(), but no training entry points");
  }

  /** A new instance of the same generated class (parameters freshly initialized). */
  protected abstract Model newInstance();

  /**
   * The optimizer update alone, applied to the gradients now in the gradient buffers (the same
   * update rules {@link #runTrainStep} fuses; reads {@link #hyper} and {@link #step}, which the
   * base increments first). {@code n} is unused: parameters are not batched. Generated classes of
   * models with a loss override it; the default throws, so hand-written models need not.
   */
  protected void runUpdate(int n) {
    throw new UnsupportedOperationException(
        getClass().getName() + " has no separate optimizer update (runUpdate)");
  }

  /**
   * The optimizer update of parts {@code [from, to)} of every parameter ({@link #UPDATE_PARTS}), at
   * the step count as it is, with {@code packed = from * 65536 + to}. Generated classes of models
   * with a loss override it; the default throws, so hand-written models need not (one int, like
   * every entry point, because kernels take one int).
   */
  protected void runUpdateParts(int packed) {
    throw new UnsupportedOperationException(
        getClass().getName() + " has no optimizer update in parts (runUpdateParts)");
  }

  /**
   * Rows {@code [lo, hi)} of the split kernel {@code kernel} (a number the generated class gives
   * its kernels whose rows a {@link RowTeam} may split), for a batch of {@code n}: what a team's
   * worker runs. Only {@link RowTeam#fork}, called from a generated kernel, calls it. The default
   * throws: a hand-written model has no split kernels, so a team attached to it is never used.
   */
  protected void runRows(int kernel, int n, int lo, int hi) {
    throw new UnsupportedOperationException(
        getClass().getName() + " has no kernels split across threads (runRows)");
  }

  /** The team the kernels split their rows across, or null. */
  RowTeam team;

  /**
   * Makes the generated kernels split large products across {@code team}'s threads, inside each
   * step, with results bit-identical to one thread's ({@link RowTeam}); {@code null} to run on the
   * calling thread alone (the default). The model does not own the team: whoever made it closes it.
   * {@link #copy()} does not carry the team over.
   */
  public final void team(RowTeam team) {
    this.team = team;
  }

  /** The team set by {@link #team(RowTeam)}, or null. */
  public final RowTeam team() {
    return team;
  }

  // ---- public API ----

  /**
   * Into how many parts {@link #updateParts} divides each parameter: part {@code p} of a parameter
   * of {@code length} elements is elements {@code [updatePartBound(p, length), updatePartBound(p +
   * 1, length))}.
   */
  public static final int UPDATE_PARTS = 1 << 15;

  /**
   * First element of part {@code part} (0..{@link #UPDATE_PARTS}) of a parameter of {@code length}
   * elements: {@code floor(part * length / UPDATE_PARTS)}, so the parts of a parameter are
   * contiguous, in order, and differ in size by at most one element.
   */
  public static int updatePartBound(int part, int length) {
    return (int) ((long) part * length / UPDATE_PARTS);
  }

  /**
   * Whether this class has {@link #updateParts} (generated classes of models with a loss do; a
   * hand-written model or a class generated before it existed does not).
   */
  public final boolean updatesInParts() {
    for (Class<?> c = getClass(); c != Model.class; c = c.getSuperclass()) {
      try {
        c.getDeclaredMethod("runUpdateParts", int.class);
        return true;
      } catch (NoSuchMethodException e) {
        // look further up
      }
    }
    return false;
  }

  /**
   * The optimizer update of parts {@code [from, to)} of every parameter and its optimizer state,
   * from the gradients now in the gradient buffers, for the step count as it is: this does not
   * increment {@link #steps()}. {@code steps(steps() + 1)} followed by {@code updateParts} over
   * ranges that cover {@code [0, UPDATE_PARTS)} once each, in any order, leaves exactly the bits of
   * {@link #applyGradients()} (the update is element by element). Calls over disjoint ranges touch
   * disjoint elements and only read the model's hyper-parameters and step, so they may run on
   * different threads at once; that is how data-parallel training spreads the update over its
   * threads.
   *
   * @throws IllegalArgumentException unless {@code 0 <= from <= to <= UPDATE_PARTS}
   * @throws UnsupportedOperationException if the class has no update in parts ({@link
   *     #updatesInParts})
   */
  public final void updateParts(int from, int to) {
    if (from < 0 || from > to || to > UPDATE_PARTS) {
      throw new IllegalArgumentException(
          "update parts [" + from + ", " + to + ") outside [0, " + UPDATE_PARTS + "]");
    }
    if (from < to) {
      runUpdateParts(from * 65536 + to);
    }
  }

  public final ModelSpec spec() {
    return spec;
  }

  /** Rows the batched buffers currently hold. */
  public final int capacity() {
    return capacity;
  }

  /** The batch size of the inputs fed last, or -1 before the first feed. */
  public final int batchSize() {
    return batch;
  }

  /** Makes the batched buffers hold at least {@code n} rows. */
  protected final void reserve(int n) {
    if (n > capacity) {
      allocate(n);
      capacity = n;
    }
  }

  /**
   * Copies {@code values} into input {@code name}. The batch size follows from the length; every
   * input fed before the next pass must agree on it.
   *
   * @throws IllegalArgumentException naming the input, the expected and the actual size
   */
  public final void feed(String name, float[] values) {
    int slot = inputSlot(name, DType.F32);
    int n = rows(slot, values.length);
    Object dst = buffer(slot);
    if (dst instanceof double[] d) {
      for (int i = 0; i < values.length; i++) {
        d[i] = values[i];
      }
    } else {
      System.arraycopy(values, 0, dst, 0, values.length);
    }
    batch = n;
  }

  /** As {@link #feed(String, float[])}, for an f64 model. */
  public final void feed(String name, double[] values) {
    int slot = inputSlot(name, DType.F64);
    int n = rows(slot, values.length);
    Object dst = buffer(slot);
    if (dst instanceof float[] f) {
      for (int i = 0; i < values.length; i++) {
        f[i] = (float) values[i];
      }
    } else {
      System.arraycopy(values, 0, dst, 0, values.length);
    }
    batch = n;
  }

  /**
   * Copies integers (class labels, or ids such as the bytes a model embeds) into input {@code
   * name}, checking each against the input's range ({@link TensorSpec#classes()}).
   *
   * @throws IllegalArgumentException naming the input, the first bad value and its index
   */
  public final void feed(String name, int[] values) {
    int slot = inputSlot(name, DType.I32);
    TensorSpec t = spec.tensors().get(slot);
    if (t.classes() > 0) {
      for (int i = 0; i < values.length; i++) {
        if (values[i] < 0 || values[i] >= t.classes()) {
          throw new IllegalArgumentException(
              "input '"
                  + name
                  + "': value "
                  + values[i]
                  + " at index "
                  + i
                  + " is outside [0, "
                  + t.classes()
                  + ")");
        }
      }
    }
    int n = rows(slot, values.length);
    System.arraycopy(values, 0, buffer(slot), 0, values.length);
    batch = n;
  }

  private int inputSlot(String name, DType given) {
    int slot = spec.slot(TensorKind.INPUT, name);
    if (slot < 0) {
      throw new IllegalArgumentException(
          "no input '" + name + "'; inputs are " + names(spec.ofKind(TensorKind.INPUT)));
    }
    TensorSpec t = spec.tensors().get(slot);
    boolean ok = t.dtype() == DType.I32 ? given == DType.I32 : given != DType.I32;
    if (!ok) {
      throw new IllegalArgumentException(
          "input '"
              + name
              + "' holds "
              + (t.dtype() == DType.I32 ? "int labels" : "floats")
              + ", but was fed "
              + (given == DType.I32 ? "int[]" : "floats"));
    }
    return slot;
  }

  private int rows(int slot, int length) {
    TensorSpec t = spec.tensors().get(slot);
    int row = t.rowSize();
    if (!t.batched()) {
      if (length != row) {
        throw new IllegalArgumentException(
            "input '"
                + t.name()
                + "' "
                + t.shapeString()
                + " takes exactly "
                + row
                + " values, but was fed "
                + length);
      }
      return batch < 0 ? 1 : batch;
    }
    if (length == 0 || length % row != 0) {
      throw new IllegalArgumentException(
          "input '"
              + t.name()
              + "' "
              + t.shapeString()
              + " takes a multiple of "
              + row
              + " values (one row each), but was fed "
              + length);
    }
    int n = length / row;
    if (batch > 0 && n != batch && fedSinceLastPass) {
      throw new IllegalArgumentException(
          "input '"
              + t.name()
              + "' was fed "
              + n
              + " rows, but other inputs were fed "
              + batch
              + " rows; every input must have the same batch size");
    }
    fedSinceLastPass = true;
    reserve(n);
    return n;
  }

  private boolean fedSinceLastPass;

  private int readyBatch() {
    if (batch < 0) {
      throw new IllegalStateException(
          "no inputs fed yet; feed " + names(spec.ofKind(TensorKind.INPUT)) + " first");
    }
    fedSinceLastPass = false;
    return batch;
  }

  /** Runs inference on the inputs fed last; read results with {@link #output}. */
  public final void forward() {
    runForward(readyBatch());
  }

  /**
   * Computes the outputs and the loss on the inputs fed last, without a backward pass: gradients,
   * parameters and optimizer state are left as they are (validation and test metrics).
   *
   * @throws UnsupportedOperationException if the class has no evaluate entry point (a hand-written
   *     model, or a class generated before it existed)
   */
  public final double evaluate() {
    return runEvaluate(readyBatch());
  }

  /**
   * Computes the loss and the gradient of every parameter; parameters are untouched. The outputs
   * are left as this pass computed them, in training mode (with dropout or batch norm they differ
   * from {@link #forward()}'s).
   */
  public final double lossAndGradients() {
    return runGradients(trainingBatch());
  }

  /**
   * The batch for a training entry point: batch norm's unbiased running variance needs two rows, so
   * a model with states (running statistics) refuses a batch of one, as PyTorch does.
   */
  private int trainingBatch() {
    int n = readyBatch();
    if (n == 1 && hasModelStates) {
      throw new IllegalArgumentException(
          "a training batch of one row: batch_norm needs more than one value per channel to"
              + " compute batch statistics (feed at least 2 rows, or use evaluate()/forward())");
    }
    return n;
  }

  private final boolean hasModelStates;

  /**
   * One optimizer step on the inputs fed last; returns the loss before the update. The outputs are
   * left as the step's forward pass computed them (training mode, before the update), so a trainer
   * can count the step's correct predictions without another pass.
   */
  public final double trainStep() {
    int n = trainingBatch();
    step++;
    return runTrainStep(n);
  }

  /**
   * One optimizer step from the gradients now in the gradient buffers (left by {@link
   * #lossAndGradients}, or written there by the caller, e.g. summed over data-parallel shards):
   * increments the step count and updates parameters and optimizer state exactly as {@link
   * #trainStep} would have with those gradients.
   *
   * @throws UnsupportedOperationException if the class has no separate update (no loss, or a
   *     hand-written model)
   */
  public final void applyGradients() {
    step++;
    try {
      runUpdate(0);
    } catch (UnsupportedOperationException e) {
      step--;
      throw e;
    }
  }

  /** A copy of output {@code name} for the current batch, as floats. */
  public final float[] output(String name) {
    int slot = spec.slot(TensorKind.OUTPUT, name);
    if (slot < 0) {
      throw new IllegalArgumentException(
          "no output '" + name + "'; outputs are " + names(spec.ofKind(TensorKind.OUTPUT)));
    }
    TensorSpec t = spec.tensors().get(slot);
    int len = t.size(Math.max(batch, 1));
    Object src = buffer(slot);
    float[] out = new float[len];
    if (src instanceof double[] d) {
      for (int i = 0; i < len; i++) {
        out[i] = (float) d[i];
      }
    } else {
      System.arraycopy(src, 0, out, 0, len);
    }
    return out;
  }

  /**
   * Feeds one example (or batch) to {@code input}, runs the forward pass, returns the first output.
   */
  public final float[] predict(String input, float[] values) {
    feed(input, values);
    forward();
    return output(spec.ofKind(TensorKind.OUTPUT).get(0).name());
  }

  /** The live array of parameter {@code name} ({@code float[]} for f32 models). */
  public final float[] parameter(String name) {
    return (float[]) live(TensorKind.PARAM, name);
  }

  /** The live gradient of parameter {@code name}, as left by the last pass. */
  public final float[] gradient(String name) {
    return (float[]) live(TensorKind.GRADIENT, name);
  }

  /**
   * The live array of any named tensor, of the type its spec gives ({@code float[]}, {@code
   * double[]} or {@code int[]}).
   */
  public final Object tensor(TensorKind kind, String name) {
    return live(kind, name);
  }

  private Object live(TensorKind kind, String name) {
    int slot = spec.slot(kind, name);
    if (slot < 0) {
      throw new IllegalArgumentException(
          "no "
              + kind.name().toLowerCase()
              + " '"
              + name
              + "'; there are "
              + names(spec.ofKind(kind)));
    }
    return buffer(slot);
  }

  /** Sets an optimizer hyper-parameter for the following steps. */
  public final void hyperParameter(String name, double value) {
    hyper[hyperIndex(name)] = value;
  }

  public final double hyperParameter(String name) {
    return hyper[hyperIndex(name)];
  }

  private int hyperIndex(String name) {
    int i = spec.optimizer().indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException(
          spec.optimizer().displayName()
              + " has no hyper-parameter '"
              + name
              + "'; it has "
              + spec.optimizer().hyperParameters().stream()
                  .map(OptimizerKind.HyperParameter::name)
                  .toList());
    }
    return i;
  }

  /** Optimizer steps taken so far. */
  public final long steps() {
    return step;
  }

  /** The seed of dropout masks. */
  public final long seed() {
    return seed;
  }

  /** Sets the seed of dropout masks (without re-initializing parameters). */
  public final void seed(long seed) {
    this.seed = seed;
  }

  /**
   * Sets the row of the whole batch that this model's first row is: a data-parallel shard's offset,
   * so dropout draws the same mask whatever the sharding (0 otherwise).
   */
  public final void rowOffset(long rows) {
    this.rowOffset = rows;
  }

  /** Sets the optimizer step count (used when resuming from a checkpoint). */
  public final void steps(long steps) {
    this.step = steps;
  }

  /**
   * Fills every parameter and model state from its initializer, zeroes gradients, optimizer state
   * and the step count, and makes {@code seed} the seed of dropout masks. The same seed gives the
   * same parameters bit for bit on every JVM.
   *
   * <p>The k-th parameter in spec order (k = 0, 1, ...) draws from its own stream {@link
   * SplitMix64#derive(long, long) SplitMix64.derive(seed, k)}, so adding or reshaping one parameter
   * leaves the others' values unchanged. How each initializer draws is specified in {@link
   * Initializers}.
   */
  public void initialize(long seed) {
    int k = 0;
    int j = 0;
    for (int slot = 0; slot < spec.tensors().size(); slot++) {
      TensorSpec t = spec.tensors().get(slot);
      switch (t.kind()) {
        case PARAM -> Initializers.fill(t, buffer(slot), SplitMix64.derive(seed, k++));
        case STATE -> {
          if (t.init() != null) {
            // model state (`state mu: ... = zeros`): its own streams, after every parameter's
            Initializers.fill(t, buffer(slot), SplitMix64.derive(~seed, j++));
          } else {
            Initializers.zero(buffer(slot));
          }
        }
        case GRADIENT -> Initializers.zero(buffer(slot));
        default -> {}
      }
    }
    step = 0;
    this.seed = seed;
  }

  /**
   * Saves parameters, optimizer state, step and hyper-parameters to a safetensors file, atomically
   * (see {@link org.gradc.runtime.io.Checkpoint}).
   */
  public final void save(java.nio.file.Path file) {
    org.gradc.runtime.io.Checkpoint.save(this, file, org.gradc.runtime.io.Provenance.NONE);
  }

  /**
   * Loads a checkpoint written by {@link #save}; refuses (leaving this model unchanged) one that
   * does not match this model's spec (see {@link org.gradc.runtime.io.Checkpoint#load}).
   */
  public final void load(java.nio.file.Path file) {
    org.gradc.runtime.io.Checkpoint.load(this, file);
  }

  /** An independent instance with the same parameters, optimizer state and hyper-parameters. */
  public Model copy() {
    Model m = newInstance();
    for (int slot = 0; slot < spec.tensors().size(); slot++) {
      TensorSpec t = spec.tensors().get(slot);
      if (t.kind() == TensorKind.PARAM || t.kind() == TensorKind.STATE) {
        Object src = buffer(slot);
        System.arraycopy(src, 0, m.buffer(slot), 0, java.lang.reflect.Array.getLength(src));
      }
    }
    System.arraycopy(hyper, 0, m.hyper, 0, hyper.length);
    m.step = step;
    m.seed = seed;
    return m;
  }

  private static List<String> names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).toList();
  }
}
