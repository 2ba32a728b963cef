package org.gradc.runtime;

/**
 * The counter-based generator of dropout masks, called by generated code (and by the compiler's
 * reference evaluator, so both draw the same mask). Nothing is stored: the keep decision for an
 * element is a pure function of (seed, step, key, element), so the backward pass recomputes the
 * forward pass's mask, and a data-parallel shard that passes its rows' global index draws exactly
 * what one model given the whole batch would.
 *
 * <p>The hash is {@link SplitMix64#mix} applied in turn to the seed, the step, the call's key and
 * the element's index (each added to the running hash times the golden ratio constant); its top 53
 * bits give a uniform {@code u} in [0, 1), and the element is kept when {@code u >= rate}.
 */
public final class DropoutMasks {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private DropoutMasks() {}

  /**
   * The factor element {@code row * rowSize + index} of dropout call {@code key} is multiplied by
   * at this step: 0 when dropped, {@code 1 / (1 - rate)} when kept.
   *
   * @param row the element's row in the whole batch (a shard's offset plus the local row)
   * @param index the element's index within its row
   */
  public static double scale(
      long seed, long step, int key, long row, int rowSize, int index, double rate) {
    long element = row * rowSize + index;
    long z = SplitMix64.mix(seed * GOLDEN + 0x2545F4914F6CDD1DL);
    z = SplitMix64.mix(z + step * GOLDEN);
    z = SplitMix64.mix(z + key * GOLDEN);
    z = SplitMix64.mix(z + element * GOLDEN);
    double u = (z >>> 11) * 0x1.0p-53;
    return u >= rate ? 1.0 / (1.0 - rate) : 0.0;
  }
}
