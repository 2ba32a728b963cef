package org.gradc.runtime.train;

/**
 * A learning rate as a function of training progress. The trainer sets the optimizer's {@code lr}
 * hyper-parameter from it before every step, so a schedule is a pure function of the position,
 * which keeps resumed runs identical to uninterrupted ones.
 */
@FunctionalInterface
public interface LrSchedule {
  /**
   * @param base the run's base learning rate
   * @param epoch the current epoch, 1-based
   * @param step steps taken in the run before this one, 0-based
   * @param totalSteps steps of the whole run
   */
  double lr(double base, int epoch, long step, long totalSteps);

  /** Always {@code base}. */
  static LrSchedule constant() {
    return (base, epoch, step, total) -> base;
  }

  /**
   * {@code base · gamma^floor((epoch - 1) / every)}: multiplied by gamma every {@code every}
   * epochs.
   */
  static LrSchedule step(int every, double gamma) {
    if (every <= 0) {
      throw new IllegalArgumentException("step schedule: every must be positive, was " + every);
    }
    return (base, epoch, step, total) -> base * Math.pow(gamma, (epoch - 1) / every);
  }

  /**
   * Cosine annealing from {@code base} to {@code min} over the run, per step: {@code min + (base -
   * min)·(1 + cos(π·step/totalSteps))/2}.
   */
  static LrSchedule cosine(double min) {
    return (base, epoch, step, total) ->
        min + (base - min) * (1 + StrictMath.cos(StrictMath.PI * step / Math.max(1, total))) / 2;
  }
}
