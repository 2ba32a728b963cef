package org.gradc.runtime.train;

import java.util.ArrayList;
import java.util.List;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.gradc.runtime.data.Dataset;

/**
 * The arithmetic of one synchronous data-parallel step, public so that a trainer outside this
 * package (the {@code gradc-spark} module, whose shards run on other machines) computes exactly
 * what {@link Trainer#dataParallel(int) Trainer.dataParallel(k)} computes:
 *
 * <ol>
 *   <li>{@link #bound} splits a batch of {@code n} rows into {@code k = min(k, n)} contiguous
 *       shards;
 *   <li>a {@link Worker} (a model replica holding the step's parameters) computes the loss and
 *       gradients of one shard;
 *   <li>{@link #weightedSum} combines the shards' gradients in shard order with weights {@code n_i
 *       / n}, and {@link #loss} their losses the same way;
 *   <li>{@link Model#applyGradients()} on the main model takes the one optimizer step.
 * </ol>
 *
 * {@link ParallelStepRunner} runs steps 3 and 4 on all its threads, each over its own parts of
 * every parameter ({@link #weightedSum(List, List, int[], int, int, int)}, then {@link
 * Model#updateParts}); element by element that is the same arithmetic, so the bits are those of the
 * list above.
 *
 * <p>{@link ParallelStepRunner} is built from these same pieces, so a caller that feeds the same
 * rows to the same shards gets bit-identical parameters. Nothing here depends on which thread,
 * process or machine computed a shard.
 */
public final class DataParallel {
  private DataParallel() {}

  /** The loss, correct predictions (0 when not counted) and row count of one shard. */
  public record Shard(double loss, long correct, int rows) {}

  /** Number of non-empty shards of a batch of {@code n} rows split {@code k} ways. */
  public static int shards(int n, int k) {
    return Math.min(k, n);
  }

  /**
   * First row (relative to the batch start) of shard {@code i} of {@code k} over {@code n} rows.
   */
  public static int bound(int i, int n, int k) {
    return (int) ((long) i * n / k);
  }

  /**
   * The live arrays ({@code float[]} or {@code double[]}) of a model's tensors of one kind, in spec
   * order; gradients are listed in the order of the parameters they belong to.
   */
  public static List<Object> arrays(Model m, TensorKind kind) {
    List<Object> out = new ArrayList<>();
    for (TensorSpec t : m.spec().ofKind(kind)) {
      out.add(m.tensor(kind, kind == TensorKind.GRADIENT ? t.of() : t.name()));
    }
    return out;
  }

  /**
   * The live arrays of a model's own states (batch norm's running statistics; not optimizer state),
   * in spec order: what a step's shards start from and what {@link #weightedSum} merges after them.
   */
  public static List<Object> modelStates(Model m) {
    List<Object> out = new ArrayList<>();
    for (TensorSpec t : Model.modelStates(m.spec())) {
      out.add(m.tensor(TensorKind.STATE, t.name()));
    }
    return out;
  }

  /**
   * Puts a replica in the place of shard {@code i} of {@code k} over a batch of {@code n} rows, for
   * the step that the update will make step {@code step + 1}: it draws dropout masks with the main
   * model's {@code seed}, for that step, at its rows' place in the whole batch ({@link
   * Model#rowOffset}), so its masks are the rows' masks of one model's {@link Model#trainStep} on
   * the whole batch. (Its parameters and model states are the caller's to copy.)
   */
  public static void enterShard(Model replica, long seed, long step, int i, int n, int k) {
    replica.seed(seed);
    replica.steps(step + 1);
    replica.rowOffset(bound(i, n, k));
  }

  /**
   * Number of label positions per row for the model's classification task (what accuracy divides
   * by), or 0 when the model is not a classifier (see {@link Trainer}'s accuracy metric).
   */
  public static int accuracyPositions(Model m) {
    Feeder.Task task = Feeder.Task.of(m);
    return task == null ? 0 : task.positions();
  }

  /**
   * A model replica bound to a dataset: {@link #gradients} computes one shard exactly as a shard of
   * {@link Trainer#dataParallel(int)} does. The caller puts the step's parameters into the replica
   * first. Not thread-safe (one per thread, like the model).
   */
  public static final class Worker {
    private final Model model;
    private final Feeder feeder;
    private final boolean classifier;

    /**
     * @param replica the model that computes (its gradient buffers are overwritten)
     * @param data the rows to draw from; must have a column for every model input
     * @param maxRows the usual shard size (gather arrays for it are allocated at once)
     */
    public Worker(Model replica, Dataset data, int maxRows) {
      this.model = replica;
      Feeder.Task task = Feeder.Task.of(replica);
      this.feeder = new Feeder(replica, data, Math.max(1, maxRows), task);
      this.classifier = task != null;
    }

    public Model model() {
      return model;
    }

    /**
     * Feeds rows {@code order[from..to)}, computes loss and gradients into the replica's gradient
     * buffers (parameters are untouched) and, when asked and the model is a classifier, counts the
     * correct predictions among the outputs that pass left (training mode: see {@link Trainer}'s
     * accuracy metric).
     */
    public Shard gradients(int[] order, int from, int to, boolean countCorrect) {
      feeder.feed(order, from, to);
      double loss = model.lossAndGradients();
      return new Shard(loss, countCorrect && classifier ? feeder.correct(to - from) : 0, to - from);
    }

    /**
     * Feeds rows {@code order[from..to)} and takes one fused optimizer step on the replica (local
     * SGD); correct predictions are counted as by {@link #gradients}, from the step's outputs
     * (before its update).
     */
    public Shard trainStep(int[] order, int from, int to, boolean countCorrect) {
      feeder.feed(order, from, to);
      double loss = model.trainStep();
      return new Shard(loss, countCorrect && classifier ? feeder.correct(to - from) : 0, to - from);
    }
  }

  /** The batch loss {@code sum_i loss_i * n_i / n}, accumulated in double in shard order. */
  public static double loss(List<Shard> shards, int n) {
    double loss = 0;
    for (Shard s : shards) {
      loss += s.loss() * s.rows() / n;
    }
    return loss;
  }

  /**
   * {@code out[p] := sum_i (rows[i] / n) * in.get(i)[p]} for every tensor {@code p}, each element
   * summed in the array's precision (the weights rounded to it once) in the order i = 0, 1, ...,
   * k-1: {@code ((w_0 a_0 + w_1 a_1) + w_2 a_2) + ...}, each product and sum rounded as Java rounds
   * them. This is the one place the shard sum of {@link Trainer#dataParallel(int)} is written; it
   * also averages parameters and optimizer state for local SGD (weights summing to 1). A single
   * shard holding the whole batch is copied unchanged.
   *
   * @param out the destination arrays ({@code float[]} or {@code double[]}), e.g. {@link
   *     #arrays(Model, TensorKind) the main model's gradients}
   * @param in per shard, arrays shaped like {@code out}, in shard order
   * @param rows per shard, its row count (the weight's numerator)
   * @param n the weight's denominator (the batch's row count)
   */
  public static void weightedSum(List<Object> out, List<List<Object>> in, int[] rows, int n) {
    weightedSum(out, in, rows, n, 0, Model.UPDATE_PARTS);
  }

  /**
   * Parts {@code [fromPart, toPart)} of {@link #weightedSum(List, List, int[], int)}: the same
   * arithmetic for the elements of each array that {@link Model#updateParts} calls those parts
   * ({@link Model#updatePartBound}). Every element is summed over the shards in shard order exactly
   * as the whole sum sums it, so threads that run disjoint part ranges at once (on disjoint
   * elements, hence without sharing a write) produce the bits of one thread running the whole sum,
   * and a thread that then updates the same parts reads only gradients it summed itself.
   */
  public static void weightedSum(
      List<Object> out, List<List<Object>> in, int[] rows, int n, int fromPart, int toPart) {
    int k = in.size();
    if (rows.length != k) {
      throw new IllegalArgumentException(rows.length + " row counts for " + k + " shards");
    }
    if (fromPart < 0 || fromPart > toPart || toPart > Model.UPDATE_PARTS) {
      throw new IllegalArgumentException(
          "parts [" + fromPart + ", " + toPart + ") outside [0, " + Model.UPDATE_PARTS + "]");
    }
    boolean copy = k == 1 && rows[0] == n;
    double[] w = new double[k];
    for (int i = 0; i < k; i++) {
      w[i] = (double) rows[i] / n;
    }
    for (int p = 0; p < out.size(); p++) {
      Object g = out.get(p);
      int length = java.lang.reflect.Array.getLength(g);
      int from = Model.updatePartBound(fromPart, length);
      int to = Model.updatePartBound(toPart, length);
      if (from >= to) {
        continue;
      }
      if (copy) {
        // weight exactly 1: a copy (the sum below would turn -0.0 into +0.0)
        Object src = in.get(0).get(p);
        if (src != g) {
          System.arraycopy(src, from, g, from, to - from);
        }
      } else if (g instanceof float[] o) {
        float[] src = (float[]) in.get(0).get(p);
        float w0 = (float) w[0];
        for (int j = from; j < to; j++) {
          o[j] = w0 * src[j];
        }
        for (int i = 1; i < k; i++) {
          // shard after shard over the whole slice: the same per-element order as a sum over i
          // inside a loop over j, but a flat float loop the JIT vectorizes (JDK 17's does not
          // vectorize float-double conversions, which made a double accumulator cost more than
          // a whole training step on two threads)
          float[] si = (float[]) in.get(i).get(p);
          float wi = (float) w[i];
          for (int j = from; j < to; j++) {
            o[j] += wi * si[j];
          }
        }
      } else {
        double[] o = (double[]) g;
        double[] src = (double[]) in.get(0).get(p);
        for (int j = from; j < to; j++) {
          o[j] = w[0] * src[j];
        }
        for (int i = 1; i < k; i++) {
          double[] si = (double[]) in.get(i).get(p);
          double wi = w[i];
          for (int j = from; j < to; j++) {
            o[j] += wi * si[j];
          }
        }
      }
    }
  }
}
