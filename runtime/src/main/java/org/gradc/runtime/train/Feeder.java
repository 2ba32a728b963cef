package org.gradc.runtime.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gradc.runtime.DType;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.gradc.runtime.data.Column;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.data.FloatColumn;
import org.gradc.runtime.data.IntColumn;

/**
 * Feeds batches of one dataset to a model: gathers rows {@code order[from..to)} of the column named
 * after each model input into reusable arrays (one set per batch size seen: full batches, the final
 * partial batch, data-parallel shards; so a steady-state step allocates nothing here) and hands
 * them to {@link Model#feed}. Also counts correct predictions for classification.
 */
final class Feeder {
  /** A classification task: labels in {@code label}, scores in {@code output}'s last axis. */
  record Task(String label, String output, int classes, int positions) {
    /**
     * The task of a model, or {@code null}: its first int input with classes > 0 and the first
     * output whose last extent is that many classes.
     */
    static Task of(Model model) {
      for (TensorSpec in : model.spec().ofKind(TensorKind.INPUT)) {
        if (in.dtype() != DType.I32 || in.classes() <= 0) {
          continue;
        }
        for (TensorSpec out : model.spec().ofKind(TensorKind.OUTPUT)) {
          int[] s = out.shape();
          if (out.batched()
              && s.length >= 2
              && s[s.length - 1] == in.classes()
              && out.rowSize() == in.rowSize() * in.classes()) {
            return new Task(in.name(), out.name(), in.classes(), in.rowSize());
          }
        }
      }
      return null;
    }
  }

  /**
   * One model input, with its reusable gather arrays keyed by row count (a full batch, the final
   * partial batch, and the shards of data-parallel training each need their exact size).
   */
  private record Input(String name, Column column, Map<Integer, Object> arrays) {
    Object array(int rows) {
      return arrays.computeIfAbsent(
          rows,
          r ->
              column instanceof IntColumn
                  ? new int[r * column.rowSize()]
                  : new float[r * column.rowSize()]);
    }
  }

  private final Model model;
  private final List<Input> inputs = new ArrayList<>();
  private final Task task;
  private int[] labels;

  Feeder(Model model, Dataset data, int batchSize, Task task) {
    this.model = model;
    this.task = task;
    int partial = data.size() % batchSize;
    int full = Math.min(batchSize, data.size());
    for (TensorSpec in : model.spec().ofKind(TensorKind.INPUT)) {
      Input input = new Input(in.name(), data.column(in.name()), new HashMap<>());
      input.array(full);
      if (partial != 0) {
        input.array(partial);
      }
      inputs.add(input);
    }
  }

  /** Feeds rows {@code order[from..to)}. */
  void feed(int[] order, int from, int to) {
    labels = null;
    for (Input in : inputs) {
      Object dst = in.array(to - from);
      if (in.column() instanceof FloatColumn f) {
        f.gather(order, from, to, (float[]) dst);
        model.feed(in.name(), (float[]) dst);
      } else {
        int[] d = (int[]) dst;
        ((IntColumn) in.column()).gather(order, from, to, d);
        model.feed(in.name(), d);
        if (task != null && in.name().equals(task.label())) {
          labels = d;
        }
      }
    }
  }

  /** Correct predictions in the output of the last forward pass over {@code n} rows. */
  long correct(int n) {
    Object out = model.tensor(TensorKind.OUTPUT, task.output());
    int c = task.classes();
    long ok = 0;
    for (int p = 0; p < n * task.positions(); p++) {
      int best = 0;
      double bestValue = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < c; j++) {
        double v = out instanceof float[] f ? f[p * c + j] : ((double[]) out)[p * c + j];
        if (v > bestValue) {
          bestValue = v;
          best = j;
        }
      }
      if (best == labels[p]) {
        ok++;
      }
    }
    return ok;
  }
}
