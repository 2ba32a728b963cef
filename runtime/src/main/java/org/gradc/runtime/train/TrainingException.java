package org.gradc.runtime.train;

/**
 * Training could not go on: the loss became NaN or infinite. The message names the epoch and the
 * step; the model holds the parameters of the last good step, and {@link #history()} the epochs
 * completed before.
 */
public final class TrainingException extends RuntimeException {
  private final transient History history;

  /** A stopped run: {@code message} says why, {@code history} holds the completed epochs. */
  public TrainingException(String message, History history) {
    super(message);
    this.history = history;
  }

  public History history() {
    return history;
  }
}
