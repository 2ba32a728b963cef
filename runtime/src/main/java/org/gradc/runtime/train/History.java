package org.gradc.runtime.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics of every epoch of a run, as {@link Trainer#fit} returns it: per-epoch values, why
 * training stopped early (if it did), and two renderings: CSV (one row per epoch) and an SVG chart
 * of the loss and accuracy curves.
 */
public final class History {
  private final List<Metrics> epochs = new ArrayList<>();
  private String stopReason;

  /** Appends the next epoch's metrics (for trainers outside this package, e.g. gradc-spark). */
  public void add(Metrics m) {
    epochs.add(m);
  }

  /** Records why the run stopped early. */
  public void stopReason(String reason) {
    this.stopReason = reason;
  }

  /** Number of completed epochs. */
  public int size() {
    return epochs.size();
  }

  /** The metrics of epoch {@code epoch} (1-based). */
  public Metrics epoch(int epoch) {
    return epochs.get(epoch - 1);
  }

  /** The last epoch's metrics. */
  public Metrics last() {
    if (epochs.isEmpty()) {
      throw new IllegalStateException("no epoch has completed");
    }
    return epochs.get(epochs.size() - 1);
  }

  /** The metrics this run recorded. */
  public List<Metric> metrics() {
    return epochs.isEmpty() ? List.of() : epochs.get(0).keys();
  }

  /** One value per epoch. */
  public double[] values(Metric metric) {
    double[] v = new double[epochs.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = epochs.get(i).get(metric);
    }
    return v;
  }

  /** Why the run stopped before its last epoch (early stopping, a listener), or {@code null}. */
  public String stopReason() {
    return stopReason;
  }

  /** {@code epoch,loss,accuracy,...} then one row per epoch; values in full precision. */
  public String toCsv() {
    StringBuilder s = new StringBuilder("epoch");
    for (Metric m : metrics()) {
      s.append(',').append(m.name());
    }
    s.append('\n');
    for (int i = 0; i < epochs.size(); i++) {
      s.append(i + 1);
      for (Metric m : metrics()) {
        s.append(',').append(epochs.get(i).get(m));
      }
      s.append('\n');
    }
    return s.toString();
  }

  /** Reads what {@link #toCsv()} wrote (used to carry a history across a resume). */
  public static History fromCsv(String csv) {
    History h = new History();
    String[] lines = csv.split("\n");
    if (lines.length == 0 || lines[0].isBlank()) {
      return h;
    }
    String[] head = lines[0].split(",");
    List<Metric> cols = new ArrayList<>();
    for (int i = 1; i < head.length; i++) {
      Metric m = Metric.byName(head[i]);
      if (m == null) {
        throw new IllegalArgumentException("unknown metric '" + head[i] + "' in history");
      }
      cols.add(m);
    }
    for (int r = 1; r < lines.length; r++) {
      if (lines[r].isBlank()) {
        continue;
      }
      String[] f = lines[r].split(",");
      if (f.length != cols.size() + 1) {
        throw new IllegalArgumentException("history row " + r + " has " + f.length + " fields");
      }
      Map<Metric, Double> m = new LinkedHashMap<>();
      for (int i = 0; i < cols.size(); i++) {
        m.put(cols.get(i), Double.parseDouble(f[i + 1]));
      }
      h.add(new Metrics(m));
    }
    return h;
  }

  public void writeCsv(Path file) {
    write(file, toCsv());
  }

  /** Loss curves (left panel) and accuracy curves (right panel, when recorded) as SVG. */
  public String toSvg() {
    return HistoryChart.render(this);
  }

  public void writeSvg(Path file) {
    write(file, toSvg());
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
    }
  }
}
