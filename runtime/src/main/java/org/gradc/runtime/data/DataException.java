package org.gradc.runtime.data;

/**
 * Bad training data: an unreadable or malformed file, a value that is not what it should be, or a
 * dataset that does not fit the model. The message is one line naming the file (or column), the
 * line or record, and what was expected and found, e.g. {@code iris.csv:7: column 3 'petal_length':
 * expected a number, found "abc"}.
 */
public final class DataException extends RuntimeException {
  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
