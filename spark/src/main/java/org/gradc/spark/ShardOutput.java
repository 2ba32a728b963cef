package org.gradc.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * What one partition's task sends back to the driver.
 *
 * <p>For a synchronous step: the shard's loss, correct count, rows, and its gradients ({@code
 * float[]}/{@code double[]} per parameter, in spec order); no arrays when the partition had no rows
 * in this step (a final batch smaller than the number of partitions).
 *
 * <p>For a round of local SGD: the sum over its local steps of loss times rows, the correct count,
 * the rows trained, and the replica's final parameters then optimizer state.
 *
 * <p>{@code computeNanos}: the task's time from receiving the parameters to having copied its
 * results (for the trainer's timings; never part of the arithmetic).
 */
record ShardOutput(
    int partition, int rows, double loss, long correct, Object[] arrays, long computeNanos)
    implements Serializable {
  List<Object> arrayList() {
    return Arrays.asList(arrays);
  }
}
