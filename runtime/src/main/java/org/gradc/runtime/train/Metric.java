package org.gradc.runtime.train;

import java.util.List;

/**
 * A typed metric key. A run records a fixed set of metrics, known before the first step (see {@link
 * Trainer}); asking for, or monitoring, one it does not record is an error at once.
 *
 * @param name as in the history CSV and the progress line
 * @param higherIsBetter how early stopping reads it
 */
public record Metric(String name, boolean higherIsBetter) {
  /** Mean training loss over the epoch (each batch's loss before its update, weighted by rows). */
  public static final Metric LOSS = new Metric("loss", false);

  /** Training accuracy over the epoch, measured before each batch's update. */
  public static final Metric ACCURACY = new Metric("accuracy", true);

  /** Mean loss on the validation data after the epoch. */
  public static final Metric VAL_LOSS = new Metric("val_loss", false);

  /** Accuracy on the validation data after the epoch. */
  public static final Metric VAL_ACCURACY = new Metric("val_accuracy", true);

  /** The learning rate of the epoch's last step. */
  public static final Metric LR = new Metric("lr", false);

  /** Wall-clock seconds the epoch took (validation included). */
  public static final Metric SECONDS = new Metric("seconds", false);

  /** Every metric, in the order the history lists them. */
  public static final List<Metric> ALL =
      List.of(LOSS, ACCURACY, VAL_LOSS, VAL_ACCURACY, LR, SECONDS);

  /** The metric called {@code name}, or {@code null}. */
  public static Metric byName(String name) {
    for (Metric m : ALL) {
      if (m.name.equals(name)) {
        return m;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return name;
  }
}
