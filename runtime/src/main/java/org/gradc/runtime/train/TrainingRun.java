package org.gradc.runtime.train;

import java.util.Map;
import org.gradc.runtime.Model;
import org.gradc.runtime.io.Checkpoint;
import org.gradc.runtime.io.CheckpointException;

/**
 * Where one training run is, as its listeners see it ({@link TrainingContext}): the epoch and
 * batch, the running metrics, the history of finished epochs and the stop request. The runtime's
 * {@link Trainer} and the Spark trainer ({@code gradc-spark}) both extend it, so a listener sees
 * the same thing whichever one trains.
 *
 * <p>The subclass's loop owns the mutable fields: it advances {@link #epoch} and {@link #batch},
 * publishes {@link #current} before telling its listeners, adds finished epochs to {@link
 * #history}, and ends after the current step once {@link #stop} is set ({@link #requestStop}). Not
 * thread-safe; one per run.
 */
public abstract class TrainingRun implements TrainingContext {
  private final Model model;
  private final int epochs;

  /** Batches per epoch (a final partial batch counts). */
  protected final int batches;

  /** Steps the whole run takes if not stopped: {@code batches * epochs}. */
  protected final long totalSteps;

  protected final History history = new History();
  protected int epoch;
  protected int batch;

  /** The metrics {@link #metrics} returns; null after {@link #running} until a listener asks. */
  protected Metrics current = new Metrics(Map.of());

  protected boolean stop;
  private double runningLoss;
  private double runningLr;

  protected TrainingRun(Model model, int epochs, int batches) {
    this.model = model;
    this.epochs = epochs;
    this.batches = batches;
    this.totalSteps = (long) batches * epochs;
  }

  /**
   * Refuses to resume from a checkpoint whose run was set up differently, since the resumed run
   * would not continue bit-identically.
   *
   * @param where the checkpoint (file or directory), for the message
   * @param what the setting, e.g. "batch size"
   */
  protected static void requireSame(Object where, String what, String saved, String now) {
    if (!now.equals(saved)) {
      throw new CheckpointException(
          where
              + ": cannot resume bit-identically: the "
              + what
              + " was "
              + saved
              + ", now it is "
              + now);
    }
  }

  /**
   * Adds the model's dropout seed ({@link Model#seed()}) to a checkpoint's resume entries under
   * {@code prefix + "mask_seed"}: a resumed run must draw the masks the straight run would have,
   * and the seed is not a tensor.
   */
  protected final void saveMaskSeed(Map<String, String> entries, String prefix) {
    entries.put(prefix + "mask_seed", Long.toString(model.seed()));
  }

  /**
   * Restores what {@link #saveMaskSeed} wrote (a checkpoint written before it leaves the model's
   * seed as it is).
   */
  protected final void restoreMaskSeed(Checkpoint.Info info, String prefix, Object where) {
    String s = info.get(prefix + "mask_seed");
    if (s == null) {
      return;
    }
    try {
      model.seed(Long.parseLong(s));
    } catch (NumberFormatException e) {
      throw new CheckpointException(
          where + ": malformed trainer state: " + prefix + "mask_seed is \"" + s + "\"", e);
    }
  }

  @Override
  public final int epoch() {
    return epoch;
  }

  @Override
  public final int epochs() {
    return epochs;
  }

  @Override
  public final int batch() {
    return batch;
  }

  @Override
  public final int batches() {
    return batches;
  }

  @Override
  public final long step() {
    return model.steps();
  }

  @Override
  public final long totalSteps() {
    return totalSteps;
  }

  /**
   * Publishes a batch's running loss and learning rate. The {@link Metrics} for them is built only
   * when a listener asks ({@link #metrics}): most steps have no listener that does, and building it
   * at every step (a map, boxed values) was part of the trainer's overhead per step.
   */
  protected final void running(double loss, double lr) {
    runningLoss = loss;
    runningLr = lr;
    current = null;
  }

  @Override
  public final Metrics metrics() {
    if (current == null) {
      current = new Metrics(Map.of(Metric.LOSS, runningLoss, Metric.LR, runningLr));
    }
    return current;
  }

  @Override
  public final History history() {
    return history;
  }

  @Override
  public final Model model() {
    return model;
  }

  @Override
  public final void requestStop() {
    stop = true;
  }
}
