package org.gradc.spark;

import java.io.Serializable;

/**
 * Runs at the start of every training task, on the executor (tests inject failures with it, to
 * check that Spark's retry of a task reproduces it exactly).
 */
interface TaskProbe extends Serializable {
  /**
   * @param step the run's optimizer steps before this task's step (or round)
   */
  void beforeTask(long step);
}
