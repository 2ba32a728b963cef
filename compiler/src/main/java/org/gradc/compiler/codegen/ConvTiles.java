package org.gradc.compiler.codegen;

import java.util.function.IntPredicate;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ops.Window2d;

/**
 * One convolution pass as the vector back end computes it: register tiles of {@code rows × vectors}
 * accumulators, {@code rows} broadcast from operand {@code a} and {@code vectors} whole vectors
 * read from the contiguous channel axis of operand {@code b}, held in registers across the whole
 * reduction ({@link ConvEmitter}). The pass says what the rows, vectors and reduction are:
 *
 * <ul>
 *   <li>{@link Pass#FORWARD}: rows are output columns {@code j}, vectors output channels, the
 *       reduction runs over the taps and the input channels; {@code a} = image, {@code b} = kernel
 *       {@code [kh, kw, c_in / groups, c_out]}, {@code c} = output;
 *   <li>{@link Pass#INPUT_GRAD} (stride 1 only): the transposed convolution gathered per image
 *       position, rows are image columns, vectors input channels, the reduction runs over the taps
 *       in descending order (so each sum adds its terms in the order the scalar scatter does) and
 *       the output channels; {@code a} = output gradient, {@code b} = the kernel laid out {@code
 *       [kh, kw, c_out, c_in / groups]}, {@code c} = image gradient;
 *   <li>{@link Pass#WEIGHT_GRAD}: for each image and tap, rows are input channels, vectors output
 *       channels, the reduction runs over the output positions whose tap is inside the image;
 *       {@code a} = image, {@code b} = output gradient, {@code c} = kernel gradient, accumulated
 *       image after image (zeroed before).
 * </ul>
 *
 * Each output element sums its terms in the same order as the scalar loops, one fused multiply-add
 * per term, so both back ends give the same bits. Channels past the last whole vector are left to
 * the scalar loops, which start their channel loop at {@link #FROM}.
 */
record ConvTiles(
    Pass pass,
    Window2d win,
    int groups,
    Shape image,
    Shape kernel,
    Shape output,
    String a,
    String b,
    String c) {

  enum Pass {
    FORWARD,
    INPUT_GRAD,
    WEIGHT_GRAD
  }

  /**
   * The int variable the scalar loops start their vectorized channel loop at: 0 in the scalar back
   * end, the first channel past the vector tiles in the vector back end.
   */
  static final String FROM = "$from";

  int cig() {
    return kernel.dim(2);
  }

  int co() {
    return kernel.dim(3);
  }

  int cog() {
    return co() / groups;
  }

  /** The channel extent the vectors run along (per group). */
  int vectorExtent() {
    return pass == Pass.INPUT_GRAD ? cig() : cog();
  }

  /**
   * The first and one-past-last index in {@code [0, extent)} where {@code inside} holds (it holds
   * on one interval, possibly empty: {@code lo >= hi}).
   */
  static int[] interval(int extent, IntPredicate inside) {
    int lo = 0;
    while (lo < extent && !inside.test(lo)) {
      lo++;
    }
    int hi = lo;
    while (hi < extent && inside.test(hi)) {
      hi++;
    }
    return new int[] {lo, hi};
  }

  /** {@code min(max(a / divisor, lo), hi)} with Java's division, as {@link Ix.Clamp} computes. */
  static int clamp(int a, int divisor, int lo, int hi) {
    return Math.min(Math.max(a / divisor, lo), hi);
  }
}
