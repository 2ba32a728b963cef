package org.gradc.runtime.train;

import java.util.ArrayList;
import java.util.List;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.data.Dataset;

/**
 * Data-parallel steps on {@code k} threads: each batch is split into {@code k} contiguous shards
 * (sizes differ by at most one; shards are never empty, so a batch of fewer than {@code k} rows
 * uses fewer), shard {@code i} is fed to replica {@code i} which computes its loss and gradients
 * ({@link Model#lossAndGradients}, parameters untouched), then the gradients are combined and the
 * optimizer takes one step on the main model.
 *
 * <h2>Phases</h2>
 *
 * The calling thread is thread 0; threads 1..k-1 are daemon threads that live until {@link #close}.
 * Every thread owns slice {@code t} of the parameter vector: parts {@code [t * P / k, (t + 1) * P /
 * k)} of every parameter ({@code P =} {@link Model#UPDATE_PARTS}, elements by {@link
 * Model#updatePartBound}). A step is four phases separated by a {@link StepBarrier} (threads that
 * arrive early spin briefly, then park):
 *
 * <ol>
 *   <li>thread 0 prepares the replicas (model states, dropout keys) and releases the others;
 *   <li>each thread copies its slice of the main model's parameters into every other replica;
 *   <li>thread {@code i} computes shard {@code i};
 *   <li>each thread sums the shards' gradients over its slice and applies the optimizer update to
 *       it ({@link Model#updateParts}); thread 0 also merges the model states.
 * </ol>
 *
 * No phase runs on one thread while the others wait, except the short preparation.
 *
 * <h2>Determinism</h2>
 *
 * The combined gradient is {@code g = sum_i (n_i / n) g_i}, summed in the model's precision in
 * shard order 0, 1, ..., k-1 ({@link DataParallel#weightedSum}; the loss, in double, the same way).
 * Each element is summed and updated by exactly one thread with the same element code as a
 * one-thread sum and {@link Model#applyGradients}, so how the vector is sliced, which thread ran
 * which shard and when, do not enter the arithmetic: a seed gives bit-identical parameters run
 * after run, equal to summing on one thread and then calling {@code applyGradients()}. The weights
 * {@code n_i / n} make {@code g} the gradient of the batch mean when the model's loss is a
 * per-example mean (as the trainer's loss metric already assumes); a summed loss would need weight
 * 1.
 *
 * <p>Against one thread the result is close but in general not bit-identical: each shard's gradient
 * already sums its own rows (and scales by {@code 1/n_i}), so the batch sum is reassociated as
 * {@code (rows of shard 0) + (rows of shard 1)}, and float addition is not associative. With one
 * shard ({@code n_i = n}) the weight is exactly 1 and nothing changes.
 *
 * <p>The split, the shard computation and the sum are {@link DataParallel}'s, which the Spark
 * trainer ({@code gradc-spark}) uses too; that is what makes its runs equal to this one's.
 *
 * <h2>Replicas</h2>
 *
 * Replica 0 is the main model itself; replicas 1..k-1 are {@link Model#copy() copies}. Generated
 * classes own their parameter arrays (final fields), so replicas cannot share them: the main
 * model's parameters are copied into each replica at the start of every step, which also keeps the
 * replicas right after anything that changed the main model between steps (a restored snapshot, a
 * loaded checkpoint).
 *
 * <p>A class without {@link Model#updatesInParts() the update in parts} (generated before it
 * existed) gets the same sum, then {@link Model#applyGradients} on thread 0 alone: the same bits.
 *
 * <h2>Modes</h2>
 *
 * Each shard runs the training entry point on its own rows, so batch norm normalizes each shard
 * with its own statistics (as PyTorch's DistributedDataParallel does); every replica starts the
 * step from the main model's running statistics, and the updated ones are merged as the
 * row-weighted mean {@code sum_i (n_i / n) state_i}, in shard order. Dropout masks are keyed by the
 * main model's seed, the step the update will have, and each row's index in the whole batch (the
 * replica's {@link Model#rowOffset}), so they equal the masks of one thread's {@link
 * Model#trainStep}.
 */
final class ParallelStepRunner implements StepRunner, AutoCloseable {
  private final Model main;
  private final int threads;
  private final boolean inParts;
  private final List<Model> replicas = new ArrayList<>();
  private final List<DataParallel.Worker> workers = new ArrayList<>();
  private final List<Object> params;
  private final List<List<Object>> replicaParams = new ArrayList<>();
  private final List<Object> grads;
  private final List<List<Object>> replicaGrads = new ArrayList<>();
  private final List<List<Object>> replicaStates = new ArrayList<>();
  private final StepBarrier barrier;
  private final List<Thread> pool = new ArrayList<>();

  // the step in flight, written by thread 0 before it releases the others (the barrier publishes
  // it)
  private int[] order;
  private int from;
  private int n;
  private int shards;
  private int[] rows;
  private boolean countCorrect;
  private boolean closed;
  private final DataParallel.Shard[] results;
  private final Throwable[] failures;

  ParallelStepRunner(Model main, Dataset data, int batchSize, int threads) {
    this.main = main;
    this.threads = threads;
    this.inParts = main.updatesInParts();
    int shard = (batchSize + threads - 1) / threads;
    for (int i = 0; i < threads; i++) {
      Model m = i == 0 ? main : main.copy();
      replicas.add(m);
      workers.add(new DataParallel.Worker(m, data, shard));
      replicaParams.add(DataParallel.arrays(m, TensorKind.PARAM));
      replicaGrads.add(DataParallel.arrays(m, TensorKind.GRADIENT));
      replicaStates.add(DataParallel.modelStates(m));
    }
    this.params = replicaParams.get(0);
    this.grads = replicaGrads.get(0);
    this.results = new DataParallel.Shard[threads];
    this.failures = new Throwable[threads];
    this.barrier = new StepBarrier(threads, StepBarrier.defaultSpinNanos(threads));
    for (int t = 1; t < threads; t++) {
      int id = t;
      Thread th = new Thread(() -> serve(id), "gradc-shard-" + t);
      th.setDaemon(true);
      pool.add(th);
      th.start();
    }
  }

  @Override
  public Result step(int[] order, int from, int to, boolean countCorrect) {
    if (closed) {
      throw new IllegalStateException("the parallel step runner is closed");
    }
    int n = to - from;
    int k = DataParallel.shards(n, threads);
    // Before any shard runs (shard 0 updates the main model's states in place): every replica
    // starts from the main model's running statistics, draws dropout masks with its seed and the
    // step the update will be (as trainStep would), at its rows' place in the whole batch.
    long step = main.steps();
    for (int i = 0; i < k; i++) {
      Model m = replicas.get(i);
      if (i > 0) {
        copyAll(replicaStates.get(0), replicaStates.get(i));
      }
      DataParallel.enterShard(m, main.seed(), step, i, n, k);
    }
    this.order = order;
    this.from = from;
    this.n = n;
    this.shards = k;
    this.rows = new int[k];
    for (int i = 0; i < k; i++) {
      rows[i] = DataParallel.bound(i + 1, n, k) - DataParallel.bound(i, n, k);
    }
    this.countCorrect = countCorrect;
    java.util.Arrays.fill(results, null);
    java.util.Arrays.fill(failures, null);
    barrier.await(0); // release
    phases(0);
    if (!inParts && failure() == null) {
      main.rowOffset(0);
      main.steps(step);
      main.applyGradients();
    }
    Throwable f = failure();
    if (f != null) {
      main.steps(step);
      if (f instanceof RuntimeException r) {
        throw r;
      }
      if (f instanceof Error e) {
        throw e;
      }
      throw new IllegalStateException(f);
    }
    long correct = 0;
    List<DataParallel.Shard> done = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      correct += results[i].correct();
      done.add(results[i]);
    }
    return new Result(DataParallel.loss(done, n), correct);
  }

  /** A pool thread: one step after another, until {@link #close}. */
  private void serve(int t) {
    while (true) {
      barrier.await(t);
      if (closed) {
        return;
      }
      phases(t);
    }
  }

  /** Thread {@code t}'s part of a step, after the release: copy, shard, sum and update. */
  private void phases(int t) {
    int k = shards;
    int lo = (int) ((long) t * Model.UPDATE_PARTS / threads);
    int hi = (int) ((long) (t + 1) * Model.UPDATE_PARTS / threads);
    try {
      for (int i = 1; i < k; i++) {
        copyParts(params, replicaParams.get(i), lo, hi);
      }
    } catch (Throwable e) {
      failures[t] = e;
    }
    barrier.await(t);
    if (t < k && failures[t] == null) {
      try {
        int start = from + DataParallel.bound(t, n, k);
        int end = from + DataParallel.bound(t + 1, n, k);
        results[t] = workers.get(t).gradients(order, start, end, countCorrect);
      } catch (Throwable e) {
        failures[t] = e;
      }
    }
    barrier.await(t);
    if (failure() == null) {
      try {
        if (k > 1 && t == 0) {
          // running statistics: the row-weighted mean of the shards' updated states
          DataParallel.weightedSum(replicaStates.get(0), replicaStates.subList(0, k), rows, n);
        }
        List<List<Object>> shardGrads = replicaGrads.subList(0, k);
        // Chunk by chunk (see CHUNK_PARTS): sum a chunk's gradients, then update the same chunk,
        // while the sums are still in cache. Per element the order is the one-pass order (its sum,
        // then its update), so the bits do not depend on the chunking.
        for (int c = lo; c < hi; c += CHUNK_PARTS) {
          int end = Math.min(hi, c + CHUNK_PARTS);
          if (k > 1) {
            DataParallel.weightedSum(grads, shardGrads, rows, n, c, end);
          }
          if (inParts) {
            // the main model's step count is already the update's (DataParallel.enterShard)
            main.updateParts(c, end);
          }
        }
      } catch (Throwable e) {
        failures[t] = e;
      }
    }
    barrier.await(t);
  }

  /**
   * Update parts per call of the sum and the update: 1/64 of every parameter (FashionMlp's 784 x
   * 256 weights: 3,136 elements a call, 32 calls a step per thread of two). Their loops are a
   * step's largest outside the kernels, and HotSpot compiles a method after enough calls, or its
   * running loop through on-stack replacement (OSR) after enough iterations. One call per step over
   * the whole slice left them to OSR: without it ({@code -XX:-UseOnStackReplacement}, as {@code
   * gradc train} runs) they stayed interpreted for hundreds of steps (a 2-thread first epoch of the
   * MLP took 10 s, with 15 s of CPU, against 2.6 s on one thread), and with it C2 compiled their
   * OSR copies first and the whole methods later, work that on two busy cores came out of the
   * training threads' time. Short calls, many per step, get them compiled whole within the first
   * steps.
   */
  static final int CHUNK_PARTS = Model.UPDATE_PARTS / 64;

  private Throwable failure() {
    for (Throwable f : failures) {
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  private static void copyParts(List<Object> from, List<Object> to, int lo, int hi) {
    for (int p = 0; p < from.size(); p++) {
      Object src = from.get(p);
      int length = java.lang.reflect.Array.getLength(src);
      int a = Model.updatePartBound(lo, length);
      int b = Model.updatePartBound(hi, length);
      System.arraycopy(src, a, to.get(p), a, b - a);
    }
  }

  private static void copyAll(List<Object> from, List<Object> to) {
    for (int p = 0; p < from.size(); p++) {
      Object src = from.get(p);
      System.arraycopy(src, 0, to.get(p), 0, java.lang.reflect.Array.getLength(src));
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      barrier.await(0); // the pool threads see closed and end
    }
  }
}
