package org.gradc.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.train.DataParallel;

/**
 * One round of local SGD on one partition: starting from the broadcast parameters, optimizer state
 * and step count, the replica takes one fused optimizer step on its shard of each of the steps
 * {@code t0 .. t0 + lrs.length - 1} (skipping a step in which it has no rows), with the learning
 * rates given, and returns its parameters and optimizer state. Pure in the same sense as {@link
 * GradientTask}.
 */
final class LocalSgdTask implements Function2<Integer, Iterator<Block>, Iterator<ShardOutput>> {
  private static final long serialVersionUID = 1L;
  private final ModelSource source;
  private final Layout layout;
  private final int t0;
  private final double[] lrs;
  private final double[] hyper;
  private final long runStep;
  private final long seed;
  private final boolean countCorrect;
  private final Broadcast<Object[]> state;
  private final TaskProbe probe;

  /**
   * @param hyper every hyper-parameter of the optimizer, in its order ({@code lr} is then
   *     overwritten per step)
   * @param state the parameters then the optimizer state, in spec order
   */
  LocalSgdTask(
      ModelSource source,
      Layout layout,
      int t0,
      double[] lrs,
      double[] hyper,
      long runStep,
      long seed,
      boolean countCorrect,
      Broadcast<Object[]> state,
      TaskProbe probe) {
    this.source = source;
    this.layout = layout;
    this.t0 = t0;
    this.lrs = lrs;
    this.hyper = hyper;
    this.runStep = runStep;
    this.seed = seed;
    this.countCorrect = countCorrect;
    this.state = state;
    this.probe = probe;
  }

  /** The live parameter arrays then optimizer-state arrays of {@code m}. */
  static List<Object> trainable(Model m) {
    List<Object> out = new ArrayList<>(DataParallel.arrays(m, TensorKind.PARAM));
    out.addAll(DataParallel.arrays(m, TensorKind.STATE));
    return out;
  }

  @Override
  public Iterator<ShardOutput> call(Integer partition, Iterator<Block> blocks) {
    if (probe != null) {
      probe.beforeTask(runStep);
    }
    Block block = blocks.next();
    long t0ns = System.nanoTime();
    int p = partition;
    Model m = Replicas.borrow(source);
    try {
      List<Object> live = trainable(m);
      TaskArrays.copyInto(state.value(), live);
      m.steps(runStep);
      m.seed(seed);
      List<OptimizerKind.HyperParameter> names = m.spec().optimizer().hyperParameters();
      for (int i = 0; i < names.size(); i++) {
        m.hyperParameter(names.get(i).name(), hyper[i]);
      }
      DataParallel.Worker w = new DataParallel.Worker(m, block.dataset(), layout.shardRows(0, p));
      double lossSum = 0;
      long correct = 0;
      int rows = 0;
      for (int h = 0; h < lrs.length; h++) {
        int n = layout.shardRows(t0 + h, p);
        if (n == 0) {
          continue;
        }
        m.hyperParameter("lr", lrs[h]);
        // this partition's rows keep their place in the global batch, so partitions draw
        // different dropout masks (with offset 0 they would all draw the same ones)
        int rowsInBatch = layout.batchRows(t0 + h);
        m.rowOffset(
            DataParallel.bound(
                p, rowsInBatch, DataParallel.shards(rowsInBatch, layout.partitions())));
        int from = layout.offset(t0 + h, p);
        DataParallel.Shard s = w.trainStep(block.identity(), from, from + n, countCorrect);
        lossSum += s.loss() * s.rows();
        correct += s.correct();
        rows += s.rows();
      }
      return List.of(
              new ShardOutput(
                  p, rows, lossSum, correct, TaskArrays.copyOf(live), System.nanoTime() - t0ns))
          .iterator();
    } finally {
      Replicas.release(source, m);
    }
  }
}
