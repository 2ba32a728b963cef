package org.gradc.runtime.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Values of the metrics a run records, in {@link Metric#ALL} order. Immutable. */
public final class Metrics {
  private final Map<Metric, Double> values;

  /** The given values, kept in {@link Metric#ALL} order. */
  public Metrics(Map<Metric, Double> values) {
    Map<Metric, Double> ordered = new LinkedHashMap<>();
    for (Metric m : Metric.ALL) {
      if (values.containsKey(m)) {
        ordered.put(m, values.get(m));
      }
    }
    this.values = ordered;
  }

  /**
   * The value of {@code metric}.
   *
   * @throws IllegalArgumentException when this run does not record it, naming the ones it does
   */
  public double get(Metric metric) {
    Double v = values.get(metric);
    if (v == null) {
      throw new IllegalArgumentException(
          "no metric '" + metric.name() + "' here; there are " + keys());
    }
    return v;
  }

  public boolean has(Metric metric) {
    return values.containsKey(metric);
  }

  public List<Metric> keys() {
    return new ArrayList<>(values.keySet());
  }

  /** {@code loss 0.4213 accuracy 0.8512 lr 0.001}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (Map.Entry<Metric, Double> e : values.entrySet()) {
      if (s.length() > 0) {
        s.append("  ");
      }
      s.append(e.getKey().name()).append(' ').append(format(e.getKey(), e.getValue()));
    }
    return s.toString();
  }

  static String format(Metric m, double v) {
    if (m == Metric.LR) {
      return String.format("%.3g", v);
    }
    if (m == Metric.SECONDS) {
      return String.format("%.1f", v);
    }
    return String.format("%.4f", v);
  }
}
