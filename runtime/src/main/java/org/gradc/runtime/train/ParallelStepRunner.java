package org.gradc.runtime.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.data.Dataset;

/**
 * Data-parallel steps on {@code k} threads: each batch is split into {@code k} contiguous shards
 * (sizes differ by at most one; shards are never empty, so a batch of fewer than {@code k} rows
 * uses fewer), shard {@code i} is fed to replica {@code i} which computes its loss and gradients
 * ({@link Model#lossAndGradients}, parameters untouched), then the gradients are combined and the
 * optimizer is applied once on the main model ({@link Model#applyGradients}).
 *
 * <h2>Determinism</h2>
 *
 * The combined gradient is {@code g = sum_i (n_i / n) g_i}, summed in the model's precision in
 * shard order 0, 1, ..., k-1 after every shard has finished (the loss, in double, the same way).
 * The sum itself runs on all {@code k} threads, each over a disjoint slice of the gradient vector
 * ({@link DataParallel#weightedSum(List, List, int[], int, int, int)}): every element is still
 * summed in shard order, so the bits are those of a one-thread sum. The optimizer update ({@link
 * Model#applyGradients}) runs on the calling thread: a generated class offers it only as one method
 * over all parameters. Which thread ran which shard, and when, does not enter the arithmetic, so a
 * seed gives bit-identical parameters run after run. The weights {@code n_i / n} make {@code g} the
 * gradient of the batch mean when the model's loss is a per-example mean (as the trainer's loss
 * metric already assumes); a summed loss would need weight 1.
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
 * model's parameters are copied into each replica at the start of every step (by the replica's own
 * thread), which also keeps the replicas right after anything that changed the main model between
 * steps (a restored snapshot, a loaded checkpoint). Shard 0 runs on the calling thread, shards
 * 1..k-1 on a fixed pool of {@code k-1} daemon threads, so {@code k} threads compute; the pool
 * lives until {@link #close}.
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
  private final List<Model> replicas = new ArrayList<>();
  private final List<DataParallel.Worker> workers = new ArrayList<>();
  private final ExecutorService pool;
  private final List<Object> params = new ArrayList<>();
  private final List<List<Object>> replicaParams = new ArrayList<>();
  private final List<Object> grads = new ArrayList<>();
  private final List<List<Object>> replicaGrads = new ArrayList<>();
  private final List<List<Object>> replicaStates = new ArrayList<>();

  ParallelStepRunner(Model main, Dataset data, int batchSize, int threads) {
    this.main = main;
    int shard = (batchSize + threads - 1) / threads;
    for (int i = 0; i < threads; i++) {
      Model m = i == 0 ? main : main.copy();
      replicas.add(m);
      workers.add(new DataParallel.Worker(m, data, shard));
      replicaParams.add(DataParallel.arrays(m, TensorKind.PARAM));
      replicaGrads.add(DataParallel.arrays(m, TensorKind.GRADIENT));
      replicaStates.add(DataParallel.modelStates(m));
    }
    params.addAll(replicaParams.get(0));
    grads.addAll(replicaGrads.get(0));
    this.pool =
        Executors.newFixedThreadPool(
            Math.max(1, threads - 1),
            r -> {
              Thread t = new Thread(r, "gradc-shard");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public Result step(int[] order, int from, int to, boolean countCorrect) {
    int n = to - from;
    int k = DataParallel.shards(n, replicas.size());
    // Before any shard runs (shard 0 updates the main model's states in place): every replica
    // starts from the main model's running statistics, draws dropout masks with its seed and the
    // step the update will be (as trainStep would), at its rows' place in the whole batch.
    long step = main.steps();
    for (int i = 0; i < k; i++) {
      Model m = replicas.get(i);
      if (i > 0) {
        copy(replicaStates.get(0), replicaStates.get(i));
      }
      DataParallel.enterShard(m, main.seed(), step, i, n, k);
    }
    List<Future<DataParallel.Shard>> futures = new ArrayList<>();
    for (int i = 1; i < k; i++) {
      int s = i;
      futures.add(
          pool.submit(
              () ->
                  shard(
                      s,
                      order,
                      from + DataParallel.bound(s, n, k),
                      from + DataParallel.bound(s + 1, n, k),
                      countCorrect)));
    }
    List<DataParallel.Shard> shards = new ArrayList<>(k);
    shards.add(shard(0, order, from, from + DataParallel.bound(1, n, k), countCorrect));
    for (int i = 1; i < k; i++) {
      shards.add(join(futures.get(i - 1)));
    }
    long correct = 0;
    int[] rows = new int[k];
    for (int i = 0; i < k; i++) {
      correct += shards.get(i).correct();
      rows[i] = shards.get(i).rows();
    }
    if (k > 1) {
      sum(replicaGrads.subList(0, k), rows, n);
      // running statistics: the row-weighted mean of the shards' updated states, in shard order
      DataParallel.weightedSum(replicaStates.get(0), replicaStates.subList(0, k), rows, n);
    }
    main.rowOffset(0);
    main.steps(step);
    main.applyGradients();
    return new Result(DataParallel.loss(shards, n), correct);
  }

  /**
   * The shard sum on all threads: thread {@code t} sums slice {@code t} of the gradient vector
   * (disjoint elements, each summed in shard order), which gives the bits of the one-thread sum.
   */
  private void sum(List<List<Object>> in, int[] rows, int n) {
    int slices = replicas.size();
    List<Future<?>> parts = new ArrayList<>(slices - 1);
    for (int t = 1; t < slices; t++) {
      int slice = t;
      parts.add(pool.submit(() -> DataParallel.weightedSum(grads, in, rows, n, slice, slices)));
    }
    DataParallel.weightedSum(grads, in, rows, n, 0, slices);
    for (Future<?> f : parts) {
      join(f);
    }
  }

  private DataParallel.Shard shard(int i, int[] order, int from, int to, boolean countCorrect) {
    if (i > 0) {
      // on the shard's own thread: the main model's parameters are only read while shards run
      List<Object> dst = replicaParams.get(i);
      for (int p = 0; p < params.size(); p++) {
        Object src = params.get(p);
        System.arraycopy(src, 0, dst.get(p), 0, java.lang.reflect.Array.getLength(src));
      }
    }
    return workers.get(i).gradients(order, from, to, countCorrect);
  }

  private static void copy(List<Object> from, List<Object> to) {
    for (int p = 0; p < from.size(); p++) {
      Object src = from.get(p);
      System.arraycopy(src, 0, to.get(p), 0, java.lang.reflect.Array.getLength(src));
    }
  }

  private static <T> T join(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a training shard", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
