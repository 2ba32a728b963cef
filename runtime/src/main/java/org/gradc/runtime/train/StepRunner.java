package org.gradc.runtime.train;

/**
 * Takes one optimizer step on a batch. The trainer's loop only talks to this interface, so
 * data-parallel training ({@link Trainer#dataParallel}) can come as another implementation: shards
 * of the batch on model copies, gradients summed, one update.
 */
interface StepRunner {
  /**
   * Feeds rows {@code order[from..to)} and takes one step.
   *
   * @param countCorrect also count the correct predictions among the outputs the step's own forward
   *     pass left (training mode, before the update)
   * @return the loss before the update and the correct count (0 when not counted)
   */
  Result step(int[] order, int from, int to, boolean countCorrect);

  record Result(double loss, long correct) {}

  /** The one-model, one-thread runner. */
  static StepRunner serial(org.gradc.runtime.Model model, Feeder feeder) {
    return (order, from, to, countCorrect) -> {
      feeder.feed(order, from, to);
      double loss = model.trainStep();
      return new Result(loss, countCorrect ? feeder.correct(to - from) : 0);
    };
  }
}
