package org.gradc.runtime.train;

/**
 * Observes a training run. Every method has a no-op default; implement the ones you need. Calls
 * happen on the training thread, between steps, so a listener may read (not resize) the model and
 * may call {@link TrainingContext#requestStop()}.
 */
public interface TrainingListener {
  /** Before the first step (after a resume, before the first resumed step). */
  default void onTrainStart(TrainingContext context) {}

  /** After each optimizer step; {@link TrainingContext#metrics()} holds the running loss. */
  default void onBatchEnd(TrainingContext context) {}

  /** After each epoch's validation; {@link TrainingContext#metrics()} holds the epoch's metrics. */
  default void onEpochEnd(TrainingContext context) {}

  /** After the last epoch, or after a stop (not after a failure). */
  default void onTrainEnd(TrainingContext context) {}
}
