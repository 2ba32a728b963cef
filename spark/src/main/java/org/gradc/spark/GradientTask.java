package org.gradc.spark;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.train.DataParallel;

/**
 * One synchronous step on one partition: the gradient of the partition's shard of step {@code t},
 * at the parameters broadcast for this step. A pure function of (parameters, layout, step,
 * partition, block), so a retried or re-run task returns the same bits.
 */
final class GradientTask implements Function2<Integer, Iterator<Block>, Iterator<ShardOutput>> {
  private static final long serialVersionUID = 1L;
  private final ModelSource source;
  private final Layout layout;
  private final int t;
  private final long runStep;
  private final boolean countCorrect;
  private final Broadcast<Object[]> params;
  private final TaskProbe probe;

  GradientTask(
      ModelSource source,
      Layout layout,
      int t,
      long runStep,
      boolean countCorrect,
      Broadcast<Object[]> params,
      TaskProbe probe) {
    this.source = source;
    this.layout = layout;
    this.t = t;
    this.runStep = runStep;
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
      TaskArrays.copyInto(params.value(), DataParallel.arrays(m, TensorKind.PARAM));
      int from = layout.offset(t, p);
      DataParallel.Shard s =
          new DataParallel.Worker(m, block.dataset(), rows)
              .gradients(block.identity(), from, from + rows, countCorrect);
      Object[] grads = TaskArrays.copyOf(DataParallel.arrays(m, TensorKind.GRADIENT));
      return List.of(
              new ShardOutput(p, s.rows(), s.loss(), s.correct(), grads, System.nanoTime() - t0ns))
          .iterator();
    } finally {
      Replicas.release(source, m);
    }
  }
}
