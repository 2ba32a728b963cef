package org.gradc.runtime.io;

/**
 * A checkpoint that cannot be written, or that is refused on loading: malformed, corrupt, or not
 * for this model. The message is one line naming the file and the first problem, e.g. {@code
 * model.safetensors: tensor 'W1': shape [784, 128] in the file, the model expects [784, 256]}. A
 * refused weight import ({@link WeightImportException}) lists every problem instead.
 */
public sealed class CheckpointException extends RuntimeException permits WeightImportException {
  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
