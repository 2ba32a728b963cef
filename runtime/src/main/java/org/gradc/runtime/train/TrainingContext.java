package org.gradc.runtime.train;

import org.gradc.runtime.Model;

/** What a {@link TrainingListener} sees: where the run is, its metrics, the model, and a brake. */
public interface TrainingContext {
  /** The current epoch, 1-based. */
  int epoch();

  /** Epochs the run was configured for. */
  int epochs();

  /** Batches completed in the current epoch. */
  int batch();

  /** Batches per epoch (a final partial batch counts). */
  int batches();

  /** Optimizer steps taken so far in the whole run ({@link Model#steps()}). */
  long step();

  /** Steps the whole run will take if not stopped. */
  long totalSteps();

  /**
   * At batch end: {@link Metric#LOSS} (running mean over the epoch so far) and {@link Metric#LR};
   * at epoch end and train end: the epoch's metrics.
   */
  Metrics metrics();

  /** Metrics of every completed epoch. */
  History history();

  Model model();

  /** Stops the run after the current step (or epoch, when called at epoch end). */
  void requestStop();
}
