package org.gradc.runtime.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
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
 * The combined gradient is {@code g = sum_i (n_i / n) g_i}, accumulated in double in shard order 0,
 * 1, ..., k-1 on the calling thread after every shard has finished, and rounded once to the model's
 * precision; the loss is combined the same way. Which thread ran which shard, and when, does not
 * enter the arithmetic, so a seed gives bit-identical parameters run after run. The weights {@code
 * n_i / n} make {@code g} the gradient of the batch mean when the model's loss is a per-example
 * mean (as the trainer's loss metric already assumes); a summed loss would need weight 1.
 *
 * <p>Against one thread the result is close but in general not bit-identical: each shard's gradient
 * already sums its own rows (and scales by {@code 1/n_i}), so the batch sum is reassociated as
 * {@code (rows of shard 0) + (rows of shard 1)}, and float addition is not associative. With one
 * shard ({@code n_i = n}) the weight is exactly 1 and nothing changes.
 *
 * <h2>Replicas</h2>
 *
 * Replica 0 is the main model itself; replicas 1..k-1 are {@link Model#copy() copies}. Generated
 * classes own their parameter arrays (final fields), so replicas cannot share them: the main
 * model's parameters are copied into each replica at the start of every step, which also keeps the
 * replicas right after anything that changed the main model between steps (a restored snapshot, a
 * loaded checkpoint). Shard 0 runs on the calling thread, shards 1..k-1 on a fixed pool of {@code
 * k-1} daemon threads, so {@code k} threads compute; the pool lives until {@link #close}.
 */
final class ParallelStepRunner implements StepRunner, AutoCloseable {
  private final Model main;
  private final List<Model> replicas = new ArrayList<>();
  private final List<Feeder> feeders = new ArrayList<>();
  private final Feeder.Task task;
  private final ExecutorService pool;
  private final List<Object> params = new ArrayList<>();
  private final List<List<Object>> replicaParams = new ArrayList<>();
  private final List<Object> grads = new ArrayList<>();
  private final List<List<Object>> replicaGrads = new ArrayList<>();
  private double[] acc = new double[0];

  ParallelStepRunner(Model main, Dataset data, int batchSize, Feeder.Task task, int threads) {
    this.main = main;
    this.task = task;
    int shard = (batchSize + threads - 1) / threads;
    for (int i = 0; i < threads; i++) {
      Model m = i == 0 ? main : main.copy();
      replicas.add(m);
      feeders.add(new Feeder(m, data, shard, task));
      replicaParams.add(live(m, TensorKind.PARAM));
      replicaGrads.add(live(m, TensorKind.GRADIENT));
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

  private static List<Object> live(Model m, TensorKind kind) {
    List<Object> out = new ArrayList<>();
    for (TensorSpec t : m.spec().ofKind(kind)) {
      // gradients are looked up by the parameter they belong to
      out.add(m.tensor(kind, kind == TensorKind.GRADIENT ? t.of() : t.name()));
    }
    return out;
  }

  @Override
  public Result step(int[] order, int from, int to, boolean countCorrect) {
    int n = to - from;
    int k = Math.min(replicas.size(), n);
    for (int i = 1; i < k; i++) {
      List<Object> dst = replicaParams.get(i);
      for (int p = 0; p < params.size(); p++) {
        Object src = params.get(p);
        System.arraycopy(src, 0, dst.get(p), 0, java.lang.reflect.Array.getLength(src));
      }
    }
    List<Future<Shard>> futures = new ArrayList<>();
    for (int i = 1; i < k; i++) {
      int s = i;
      futures.add(
          pool.submit(
              () ->
                  shard(s, order, from + bound(s, n, k), from + bound(s + 1, n, k), countCorrect)));
    }
    Shard[] shards = new Shard[k];
    shards[0] = shard(0, order, from, from + bound(1, n, k), countCorrect);
    for (int i = 1; i < k; i++) {
      shards[i] = join(futures.get(i - 1));
    }
    double loss = 0;
    long correct = 0;
    for (int i = 0; i < k; i++) {
      loss += shards[i].loss() * shards[i].rows() / n;
      correct += shards[i].correct();
    }
    if (k > 1) {
      combine(shards, n);
    }
    main.applyGradients();
    return new Result(loss, correct);
  }

  /** First row of shard {@code i} of {@code k} over {@code n} rows. */
  private static int bound(int i, int n, int k) {
    return (int) ((long) i * n / k);
  }

  private record Shard(double loss, long correct, int rows) {}

  private Shard shard(int i, int[] order, int from, int to, boolean countCorrect) {
    Model m = replicas.get(i);
    Feeder f = feeders.get(i);
    f.feed(order, from, to);
    long correct = 0;
    if (countCorrect) {
      m.forward();
      correct = f.correct(to - from);
    }
    return new Shard(m.lossAndGradients(), correct, to - from);
  }

  private static Shard join(Future<Shard> f) {
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

  /** Main gradients := sum over shards, in shard order, of (rows / n) * shard gradient. */
  private void combine(Shard[] shards, int n) {
    for (int p = 0; p < grads.size(); p++) {
      Object g = grads.get(p);
      int len = java.lang.reflect.Array.getLength(g);
      if (acc.length < len) {
        acc = new double[len];
      }
      java.util.Arrays.fill(acc, 0, len, 0.0);
      for (int i = 0; i < shards.length; i++) {
        double w = (double) shards[i].rows() / n;
        Object gi = replicaGrads.get(i).get(p);
        if (gi instanceof float[] f) {
          for (int j = 0; j < len; j++) {
            acc[j] += w * f[j];
          }
        } else {
          double[] d = (double[]) gi;
          for (int j = 0; j < len; j++) {
            acc[j] += w * d[j];
          }
        }
      }
      if (g instanceof float[] f) {
        for (int j = 0; j < len; j++) {
          f[j] = (float) acc[j];
        }
      } else {
        System.arraycopy(acc, 0, g, 0, len);
      }
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
