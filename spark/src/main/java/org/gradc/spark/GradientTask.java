package org.gradc.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.train.DataParallel;

/**
 * One synchronous step on one partition: the gradient of the partition's shard of step {@code t},
 * at the parameters and model states broadcast for this step, with the dropout masks of the shard's
 * rows (the main model's seed, the step the update will have, the rows' place in the batch),
 * exactly as shard {@code p} of {@code Trainer.dataParallel(P)} computes it. It sends back the
 * gradients and the model states the shard's training pass updated (batch norm's running
 * statistics), which the driver merges as {@code dataParallel(P)} does. A pure function of
 * (parameters, states, layout, step, seed, partition, block), so a retried or re-run task returns
 * the same bits.
 */
final class GradientTask implements Function2<Integer, Iterator<Block>, Iterator<ShardOutput>> {
  private static final long serialVersionUID = 1L;
  private final ModelSource source;
  private final Layout layout;
  private final int t;
  private final long runStep;
  private final long seed;
  private final boolean countCorrect;
  private final Broadcast<Object[]> params;
  private final TaskProbe probe;

  GradientTask(
      ModelSource source,
      Layout layout,
      int t,
      long runStep,
      long seed,
      boolean countCorrect,
      Broadcast<Object[]> params,
      TaskProbe probe) {
    this.source = source;
    this.layout = layout;
    this.t = t;
    this.runStep = runStep;
    this.seed = seed;
    this.countCorrect = countCorrect;
    this.params = params;
    this.probe = probe;
  }

  @Override
  public Iterator<ShardOutput> call(Integer partition, Iterator<Block> blocks) {
    if (probe != null) {
      probe.beforeTask(runStep);
    }
    Block block = blocks.next();
    long t0ns = System.nanoTime();
    int p = partition;
    int rows = layout.shardRows(t, p);
    if (rows == 0) {
      return List.of(new ShardOutput(p, 0, 0, 0, null, 0)).iterator();
    }
    Model m = Replicas.borrow(source);
    try {
      TaskArrays.copyInto(params.value(), sent(m));
      int n = layout.batchRows(t);
      DataParallel.enterShard(m, seed, runStep, p, n, DataParallel.shards(n, layout.partitions()));
      int from = layout.offset(t, p);
      DataParallel.Shard s =
          new DataParallel.Worker(m, block.dataset(), rows)
              .gradients(block.identity(), from, from + rows, countCorrect);
      Object[] grads = TaskArrays.copyOf(returned(m));
      return List.of(
              new ShardOutput(p, s.rows(), s.loss(), s.correct(), grads, System.nanoTime() - t0ns))
          .iterator();
    } finally {
      Replicas.release(source, m);
    }
  }

  /** What the driver broadcasts for a step: the live parameters, then the model states. */
  static List<Object> sent(Model m) {
    List<Object> out = new ArrayList<>(DataParallel.arrays(m, TensorKind.PARAM));
    out.addAll(DataParallel.modelStates(m));
    return out;
  }

  /** What a task sends back: the gradients, then the model states after the shard's pass. */
  static List<Object> returned(Model m) {
    List<Object> out = new ArrayList<>(DataParallel.arrays(m, TensorKind.GRADIENT));
    out.addAll(DataParallel.modelStates(m));
    return out;
  }
}
