package org.gradc.runtime.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a CSV file with a header line into a {@link Dataset}: the selected feature columns become
 * one float column (default name {@code x}, rows of shape {@code [features]}), and the label column
 * an int column (default name {@code y}) or, with {@link #target}, a float column {@code [1]}.
 *
 * <p>Fields are separated by the delimiter (default {@code ,}); a field may be quoted with {@code
 * "..."} ({@code ""} inside is a quote). Blank lines are skipped. Every feature must be a finite
 * number and every label a non-negative integer; the first bad field is reported as {@code
 * file:line: column N 'name': expected ..., found "..."}.
 */
public final class CsvLoader {
  private final Path file;
  private List<String> features;
  private String label;
  private boolean labelIsTarget;
  private String featureName = "x";
  private String labelName = "y";
  private char delimiter = ',';

  CsvLoader(Path file) {
    this.file = file;
  }

  /** The feature columns, in this order (default: every column but the label). */
  public CsvLoader features(String... columns) {
    this.features = List.of(columns);
    return this;
  }

  /** The column of integer class labels. */
  public CsvLoader label(String column) {
    this.label = column;
    this.labelIsTarget = false;
    return this;
  }

  /** The column of float regression targets (instead of {@link #label}). */
  public CsvLoader target(String column) {
    this.label = column;
    this.labelIsTarget = true;
    return this;
  }

  /** Names of the dataset's feature and label columns (default {@code x} and {@code y}). */
  public CsvLoader names(String featureColumn, String labelColumn) {
    this.featureName = featureColumn;
    this.labelName = labelColumn;
    return this;
  }

  public CsvLoader delimiter(char delimiter) {
    this.delimiter = delimiter;
    return this;
  }

  /**
   * Reads the file.
   *
   * @throws DataException naming the file, line and column of the first problem
   */
  public Dataset load() {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in);
    } catch (NoSuchFileException e) {
      throw new DataException(file + ": no such file");
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new DataException(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private Dataset read(BufferedReader in) throws IOException {
    int lineNo = 0;
    String line;
    List<String> first = null;
    while ((line = in.readLine()) != null) {
      lineNo++;
      if (lineNo == 1 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (!line.isBlank()) {
        first = split(line, lineNo);
        break;
      }
    }
    final List<String> header = first;
    if (header == null) {
      throw new DataException(file + ": empty file, expected a header line");
    }
    int labelIndex = label == null ? -1 : indexOf(header, label);
    List<String> chosen = features;
    if (chosen == null) {
      chosen = new ArrayList<>(header);
      if (label != null) {
        chosen.remove(label);
      }
    }
    if (chosen.isEmpty()) {
      throw new DataException(file + ":1: no feature columns; header is " + header);
    }
    int[] featureIndex = chosen.stream().mapToInt(c -> indexOf(header, c)).toArray();
    int k = featureIndex.length;
    float[] x = new float[1024 * k];
    float[] targets = new float[1024];
    int[] labels = new int[1024];
    int rows = 0;
    while ((line = in.readLine()) != null) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      List<String> f = split(line, lineNo);
      if (f.size() != header.size()) {
        throw new DataException(
            file
                + ":"
                + lineNo
                + ": expected "
                + header.size()
                + " fields (as in the header), found "
                + f.size());
      }
      if ((rows + 1) * k > x.length) {
        x = Arrays.copyOf(x, x.length * 2);
      }
      for (int j = 0; j < k; j++) {
        x[rows * k + j] = number(f, featureIndex[j], header, lineNo);
      }
      if (labelIndex >= 0) {
        if (rows >= labels.length) {
          labels = Arrays.copyOf(labels, labels.length * 2);
          targets = Arrays.copyOf(targets, targets.length * 2);
        }
        if (labelIsTarget) {
          targets[rows] = number(f, labelIndex, header, lineNo);
        } else {
          labels[rows] = label(f, labelIndex, header, lineNo);
        }
      }
      rows++;
    }
    if (rows == 0) {
      throw new DataException(file + ": no data rows after the header");
    }
    List<Column> cols = new ArrayList<>();
    cols.add(new FloatColumn(featureName, new int[] {k}, Arrays.copyOf(x, rows * k)));
    if (labelIndex >= 0) {
      cols.add(
          labelIsTarget
              ? new FloatColumn(labelName, new int[] {1}, Arrays.copyOf(targets, rows))
              : new IntColumn(labelName, Arrays.copyOf(labels, rows)));
    }
    return Dataset.of(cols.toArray(new Column[0]));
  }

  private int indexOf(List<String> header, String column) {
    int i = header.indexOf(column);
    if (i < 0) {
      throw new DataException(file + ":1: no column '" + column + "'; the header has " + header);
    }
    return i;
  }

  private String where(int lineNo, int index, List<String> header) {
    return file + ":" + lineNo + ": column " + (index + 1) + " '" + header.get(index) + "'";
  }

  private float number(List<String> f, int index, List<String> header, int lineNo) {
    String s = f.get(index).trim();
    float v;
    try {
      v = Float.parseFloat(s);
    } catch (NumberFormatException e) {
      s = s.isEmpty() ? "an empty field" : '"' + s + '"';
      throw new DataException(where(lineNo, index, header) + ": expected a number, found " + s);
    }
    if (!Float.isFinite(v)) {
      throw new DataException(
          where(lineNo, index, header) + ": expected a finite number, found \"" + s + "\"");
    }
    return v;
  }

  private int label(List<String> f, int index, List<String> header, int lineNo) {
    String s = f.get(index).trim();
    try {
      int v = Integer.parseInt(s);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new DataException(
        where(lineNo, index, header)
            + ": expected a class label (integer >= 0), found \""
            + s
            + "\"");
  }

  /** Splits one line into fields, honouring quotes. */
  private List<String> split(String line, int lineNo) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"') {
          if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
            cur.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          cur.append(ch);
        }
      } else if (ch == '"' && cur.toString().isBlank()) {
        quoted = true;
        cur.setLength(0);
      } else if (ch == delimiter) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    if (quoted) {
      throw new DataException(
          file + ":" + lineNo + ": column " + (out.size() + 1) + ": unterminated quoted field");
    }
    out.add(cur.toString());
    return out;
  }
}
