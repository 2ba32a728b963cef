package org.gradc.spark;

import org.gradc.runtime.data.DataException;
import org.gradc.runtime.io.CheckpointException;

/**
 * Spark wraps an exception thrown in a task (as {@code SparkException: Job aborted ... caused by
 * ...}); for our own exceptions with a precise message, the user should see that message.
 */
final class SparkErrors {
  private SparkErrors() {}

  /**
   * The {@link DataException} or {@link CheckpointException} inside {@code e}, if any; otherwise
   * {@code e} itself, rethrown unchanged (Spark's exceptions are checked in Java's eyes, though
   * Scala methods do not declare them).
   */
  static RuntimeException unwrap(Exception e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof DataException || c instanceof CheckpointException) {
        return (RuntimeException) c;
      }
    }
    if (e instanceof RuntimeException r) {
      return r;
    }
    throw SparkErrors.<RuntimeException>sneaky(e);
  }

  @SuppressWarnings("unchecked")
  private static <T extends Exception> T sneaky(Exception e) throws T {
    throw (T) e;
  }
}
