package org.gradc.runtime.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A text file as byte-level sequences for a language model: each non-empty line is one example,
 * {@code '\n' + line + '\n'} as byte ids 0–255 (so there is no vocabulary to store), zero-padded or
 * cut to {@code length + 1} bytes. Column {@code x} holds the first {@code length} ids and {@code
 * y} the {@code length} that follow (the next byte at each position). Lines longer than fit are
 * cut, not dropped; {@link #cut()} says how many.
 *
 * @param lines the examples read (non-empty lines)
 * @param cut how many lines were longer than {@code length - 1} bytes and lost their end
 */
public record TextLines(Dataset data, int lines, int cut, int length) {

  /**
   * Reads {@code file}.
   *
   * @throws DataException when the file cannot be read or has no non-empty line
   */
  public static TextLines read(Path file, int length) {
    if (length < 1) {
      throw new DataException(file + ": the sequence length must be at least 1, got " + length);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DataException("cannot read " + file + ": " + e.getMessage());
    }
    int count = 0;
    for (int start = 0; start < bytes.length; start = next(bytes, start)) {
      if (end(bytes, start) > start) {
        count++;
      }
    }
    if (count == 0) {
      throw new DataException(file + " has no non-empty line");
    }
    int[] x = new int[count * length];
    int[] y = new int[count * length];
    int[] sequence = new int[length + 1];
    int row = 0;
    int cut = 0;
    for (int start = 0; start < bytes.length; start = next(bytes, start)) {
      int end = end(bytes, start);
      if (end == start) {
        continue;
      }
      java.util.Arrays.fill(sequence, 0);
      sequence[0] = '\n';
      int n = Math.min(end - start, length);
      for (int i = 0; i < n; i++) {
        sequence[1 + i] = bytes[start + i] & 0xFF;
      }
      if (1 + n < sequence.length) {
        sequence[1 + n] = '\n';
      }
      if (end - start > length - 1) {
        cut++; // the closing '\n' (and perhaps more) does not fit
      }
      System.arraycopy(sequence, 0, x, row * length, length);
      System.arraycopy(sequence, 1, y, row * length, length);
      row++;
    }
    Dataset d =
        Dataset.of(
            new IntColumn("x", new int[] {length}, x), new IntColumn("y", new int[] {length}, y));
    return new TextLines(d, count, cut, length);
  }

  /** The start of the line after the one at {@code start}. */
  private static int next(byte[] b, int start) {
    int i = start;
    while (i < b.length && b[i] != '\n') {
      i++;
    }
    return i + 1;
  }

  /** The end of the line at {@code start}, without its '\n' or "\r\n". */
  private static int end(byte[] b, int start) {
    int i = start;
    while (i < b.length && b[i] != '\n') {
      i++;
    }
    return i > start && b[i - 1] == '\r' ? i - 1 : i;
  }

  /** "104,334 lines of words, 12 cut to 16 bytes". */
  public String describe(Path file) {
    return file
        + ": "
        + lines
        + " lines as byte sequences of "
        + length
        + " + 1"
        + (cut == 0 ? "" : ", " + cut + " of them cut (longer than " + (length - 1) + " bytes)");
  }
}
