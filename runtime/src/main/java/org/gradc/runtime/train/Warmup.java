package org.gradc.runtime.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.gradc.runtime.DType;
import org.gradc.runtime.Model;
import org.gradc.runtime.SplitMix64;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.gradc.runtime.data.Column;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.FloatColumn;
import org.gradc.runtime.data.IntColumn;

/**
 * Gets a model's generated kernels compiled before its first epoch, while the caller does other
 * work: a daemon thread trains a {@link Model#copy() copy} of the model with the real batch size on
 * seeded random rows, through the same {@link Trainer} path (feeding, the training step, metrics,
 * validation).
 *
 * <p>Why: until C2 has compiled a kernel, HotSpot runs its Vector API operations as allocating
 * calls, so a model's first training steps are 10–100 times slower than its warm ones and most of a
 * short run's first epoch goes to waiting for the JIT (docs/performance.md, "The first epoch").
 * Loading a dataset takes about as long on one core, and the other core is idle meanwhile. The
 * copy's steps run the kernels there, so their compiles are queued and mostly done when training
 * starts.
 *
 * <p>Why random rows and not zeros: C2 compiles a kernel's branches from the profile the warm-up
 * leaves. On zeros every gradient of a layer after a ReLU is zero, so a scalar epilogue's branch
 * (Adam's flush of tiny moments to zero, {@code abs(m) < 1e-30 ? 0 : m}) was only ever taken one
 * way; C2 compiled the other way as an uncommon trap, and the first real batch deoptimized the
 * kernel back to the interpreter and had it compiled again during the first epoch (FashionMlp's
 * {@code k15_step_block1}; docs/performance.md, "Trainer.fit's wall clock"). Random rows take both
 * ways, as real data does. Float inputs are uniform in [0, 1) (so a {@code log} or {@code sqrt} of
 * an input stays finite, where zeros gave a non-finite loss and ended the warm-up at its first
 * step); an int input with {@code classes} is uniform over its classes, any other int input zero (a
 * valid index for every embedding).
 *
 * <p>The model itself is never touched (the copy has its own parameters, buffers and optimizer
 * state), so what training computes does not depend on whether, or for how long, the warm-up ran.
 *
 * <p>Call order: {@link #start} once the model is built; {@link #close} just before training. Close
 * stops the copy after its current step and does not wait for it. A warm-up that fails (it should
 * not) is silently abandoned: it only ever costs time.
 */
public final class Warmup implements AutoCloseable {
  /** The copy trains at most this many steps: enough for C2 to have compiled every kernel. */
  public static final int MAX_STEPS = 400;

  /**
   * Batches of random rows the copy cycles through; each epoch of the copy also validates on them.
   */
  private static final int BATCHES = 4;

  /** The seed of the random rows: fixed, so a warm-up does the same work every run. */
  private static final long SEED = 0x5EEDL;

  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger steps = new AtomicInteger();
  private final Thread thread;

  private Warmup() {
    stop.set(true);
    this.thread = null;
  }

  private Warmup(Model copy, Dataset rows, int batchSize) {
    TrainingListener listener =
        new TrainingListener() {
          @Override
          public void onBatchEnd(TrainingContext context) {
            if (steps.incrementAndGet() >= MAX_STEPS || stop.get()) {
              context.requestStop();
            }
          }
        };
    Trainer trainer =
        Trainer.of(copy)
            .epochs(MAX_STEPS / BATCHES + 1)
            .batchSize(batchSize)
            .validate(rows)
            .progress(Progress.NONE, System.err)
            .listener(listener);
    this.thread =
        new Thread(
            () -> {
              try {
                trainer.fit(rows);
              } catch (RuntimeException | Error e) {
                // Only time is lost: the model being trained is not this copy.
              }
            },
            "gradc-warmup");
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
  }

  /**
   * Starts warming up {@code model}'s kernels for batches of {@code batchSize} rows, or returns a
   * warm-up that does nothing when the model has no loss or an input without a batch axis.
   */
  public static Warmup start(Model model, int batchSize) {
    Dataset rows = randomRows(model, batchSize * BATCHES);
    if (rows == null || model.spec().ofKind(TensorKind.GRADIENT).isEmpty()) {
      return none();
    }
    Warmup w = new Warmup(model.copy(), rows, batchSize);
    w.thread.start();
    return w;
  }

  /** A warm-up that does nothing (when it is turned off). */
  public static Warmup none() {
    return new Warmup();
  }

  /** Steps the copy has trained so far. */
  public int steps() {
    return steps.get();
  }

  /** Waits for the warm-up to end by itself (tests; callers that want a warm model first). */
  public void join() throws InterruptedException {
    if (thread != null) {
      thread.join();
    }
  }

  /** Stops the copy after its current step; does not wait. */
  @Override
  public void close() {
    stop.set(true);
  }

  /**
   * A dataset of {@code rows} seeded random rows for every input (see the class comment for their
   * ranges), or null if an input has no batch axis.
   */
  static Dataset randomRows(Model model, int rows) {
    SplitMix64 random = new SplitMix64(SEED);
    List<Column> columns = new ArrayList<>();
    for (TensorSpec t : model.spec().ofKind(TensorKind.INPUT)) {
      if (!t.batched()) {
        return null;
      }
      int[] rowShape = Arrays.copyOfRange(t.shape(), 1, t.shape().length);
      int size = rows * t.rowSize();
      if (t.dtype() == DType.I32) {
        int[] v = new int[size];
        for (int i = 0; i < size && t.classes() > 0; i++) {
          v[i] = random.nextInt(t.classes());
        }
        columns.add(new IntColumn(t.name(), rowShape, v));
      } else {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
          v[i] = (float) random.nextDouble();
        }
        columns.add(new FloatColumn(t.name(), rowShape, v));
      }
    }
    return Dataset.of(columns.toArray(Column[]::new));
  }
}
