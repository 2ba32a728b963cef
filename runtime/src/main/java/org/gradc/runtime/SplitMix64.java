package org.gradc.runtime;

/**
 * The one random number generator of the runtime: SplitMix64 (Steele, Lea and Flood, 2014), whose
 * output is a fixed function of the seed on every JVM. Parameter initialization, shuffling and the
 * synthetic datasets all draw from it, so a seed reproduces a run bit for bit. (Never {@code
 * java.util.Random} or {@code Math.random}: their sequences or their math may differ.)
 *
 * <p>Derived values, all specified here:
 *
 * <ul>
 *   <li>{@link #nextDouble()}: the top 53 bits of {@link #nextLong()} times 2<sup>-53</sup>, in [0,
 *       1).
 *   <li>{@link #nextInt(int)}: the top 31 bits times {@code bound}, shifted right by 31 (Lemire's
 *       multiply-shift without rejection; the bias is below 2<sup>-31</sup>·bound).
 *   <li>{@link #nextGaussian()}: Box–Muller with {@link StrictMath} (fdlibm, identical on every
 *       JVM): {@code u1 = 1 - nextDouble(), u2 = nextDouble(), sqrt(-2 ln u1)·cos(2π u2)}. Each
 *       call consumes exactly two outputs; the sine half is discarded to keep the stream stateless
 *       beyond one {@code long}.
 * </ul>
 *
 * <p>Not thread-safe.
 */
public final class SplitMix64 {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private long state;

  public SplitMix64(long seed) {
    this.state = seed;
  }

  /**
   * An independent stream for sub-task {@code stream} of {@code seed}: seeded with {@code mix(seed)
   * ^ mix(stream + GOLDEN)}, so that (seed, epoch) or (seed, parameter) pairs give unrelated
   * sequences.
   */
  public static SplitMix64 derive(long seed, long stream) {
    return new SplitMix64(mix(seed) ^ mix(stream + GOLDEN));
  }

  /** The SplitMix64 output function (a bijective 64-bit finalizer). */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public long nextLong() {
    state += GOLDEN;
    return mix(state);
  }

  /** Uniform in [0, 1), 53 bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound); {@code bound} must be positive. */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive: " + bound);
    }
    return (int) (((nextLong() >>> 33) * bound) >>> 31);
  }

  /** Standard normal by Box–Muller (see the class comment). */
  public double nextGaussian() {
    double u1 = 1.0 - nextDouble();
    double u2 = nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
  }

  /**
   * A Fisher–Yates permutation of {@code 0..n-1}, drawing {@code nextInt(i + 1)} for i = n-1..1.
   */
  public int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
