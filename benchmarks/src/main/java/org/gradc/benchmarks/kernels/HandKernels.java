package org.gradc.benchmarks.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Hand-written reference kernels for the matmuls of the 784-256-10 MLP's training step, in the code
 * shapes the generator can emit: plain saxpy (i-k-j) scalar loops, and register-blocked Vector API
 * micro-kernels (accumulators kept in registers across the k loop). Every extent except the batch
 * {@code m} is a compile-time constant, as in generated code. These are the yardstick for the
 * generated kernels; {@link #probe} is {@code shared/probes/MatmulProbe}'s kernel verbatim.
 *
 * <p>They run on any vector width: the lane count is the preferred species' (16 on AVX-512, 8 on
 * AVX2, 4 on 128-bit hardware), and a row of width 10 is cut into as many column strips as it
 * needs. Only {@link #fwd2Split} names a species (256-bit) of its own; on hardware with narrower
 * vectors it gives the same results through the Vector API's Java fallback, slowly. The 4 x 4
 * blocks of accumulators are sized for AVX-512's 32 registers (they spill on AVX2's 16); that costs
 * speed, not correctness.
 */
public final class HandKernels {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;
  static final int L = S.length();

  static final int IN = 784;
  static final int HID = 256;
  static final int OUT = 10;

  private HandKernels() {}

  // ---------------------------------------------------------------- probe (the ceiling)

  /** MatmulProbe.vec: c[64,256] = a[64,784] @ b[784,256], 4 rows x 4 vectors, no epilogue. */
  public static void probe(float[] a, float[] b, float[] c, int m) {
    final int k0 = IN;
    final int n = HID;
    for (int i = 0; i < m; i += 4) {
      for (int j = 0; j < n; j += 4 * L) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int k = 0; k < k0; k++) {
          int bk = k * n + j;
          FloatVector b0 = FloatVector.fromArray(S, b, bk);
          FloatVector b1 = FloatVector.fromArray(S, b, bk + L);
          FloatVector b2 = FloatVector.fromArray(S, b, bk + 2 * L);
          FloatVector b3 = FloatVector.fromArray(S, b, bk + 3 * L);
          FloatVector x = FloatVector.broadcast(S, a[i * k0 + k]);
          c00 = x.fma(b0, c00);
          c01 = x.fma(b1, c01);
          c02 = x.fma(b2, c02);
          c03 = x.fma(b3, c03);
          x = FloatVector.broadcast(S, a[(i + 1) * k0 + k]);
          c10 = x.fma(b0, c10);
          c11 = x.fma(b1, c11);
          c12 = x.fma(b2, c12);
          c13 = x.fma(b3, c13);
          x = FloatVector.broadcast(S, a[(i + 2) * k0 + k]);
          c20 = x.fma(b0, c20);
          c21 = x.fma(b1, c21);
          c22 = x.fma(b2, c22);
          c23 = x.fma(b3, c23);
          x = FloatVector.broadcast(S, a[(i + 3) * k0 + k]);
          c30 = x.fma(b0, c30);
          c31 = x.fma(b1, c31);
          c32 = x.fma(b2, c32);
          c33 = x.fma(b3, c33);
        }
        int r = i * n + j;
        c00.intoArray(c, r);
        c01.intoArray(c, r + L);
        c02.intoArray(c, r + 2 * L);
        c03.intoArray(c, r + 3 * L);
        r += n;
        c10.intoArray(c, r);
        c11.intoArray(c, r + L);
        c12.intoArray(c, r + 2 * L);
        c13.intoArray(c, r + 3 * L);
        r += n;
        c20.intoArray(c, r);
        c21.intoArray(c, r + L);
        c22.intoArray(c, r + 2 * L);
        c23.intoArray(c, r + 3 * L);
        r += n;
        c30.intoArray(c, r);
        c31.intoArray(c, r + L);
        c32.intoArray(c, r + 2 * L);
        c33.intoArray(c, r + 3 * L);
      }
    }
  }

  // ---------------------------------------------------------------- forward 1: relu(x W1 + b1)

  /** h[m,256] = relu(x[m,784] @ w[784,256] + bias), plain i-k-j loops. */
  public static void fwd1Scalar(float[] x, float[] w, float[] bias, float[] h, int m) {
    for (int i = 0; i < m; i++) {
      int ho = i * HID;
      System.arraycopy(bias, 0, h, ho, HID);
      for (int k = 0; k < IN; k++) {
        float a = x[i * IN + k];
        int wo = k * HID;
        for (int j = 0; j < HID; j++) {
          h[ho + j] += a * w[wo + j];
        }
      }
      for (int j = 0; j < HID; j++) {
        h[ho + j] = Math.max(h[ho + j], 0f);
      }
    }
  }

  /**
   * The same, register-blocked: 4 rows x 4 vectors of accumulators across k, then bias and ReLU
   * applied to the registers before the one store. Rows beyond a multiple of 4 take a 1-row pass.
   */
  public static void fwd1Vector(float[] x, float[] w, float[] bias, float[] h, int m) {
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      for (int j = 0; j < HID; j += 4 * L) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int a0 = i * IN;
        for (int k = 0; k < IN; k++) {
          int bk = k * HID + j;
          FloatVector b0 = FloatVector.fromArray(S, w, bk);
          FloatVector b1 = FloatVector.fromArray(S, w, bk + L);
          FloatVector b2 = FloatVector.fromArray(S, w, bk + 2 * L);
          FloatVector b3 = FloatVector.fromArray(S, w, bk + 3 * L);
          FloatVector a = FloatVector.broadcast(S, x[a0 + k]);
          c00 = a.fma(b0, c00);
          c01 = a.fma(b1, c01);
          c02 = a.fma(b2, c02);
          c03 = a.fma(b3, c03);
          a = FloatVector.broadcast(S, x[a0 + IN + k]);
          c10 = a.fma(b0, c10);
          c11 = a.fma(b1, c11);
          c12 = a.fma(b2, c12);
          c13 = a.fma(b3, c13);
          a = FloatVector.broadcast(S, x[a0 + 2 * IN + k]);
          c20 = a.fma(b0, c20);
          c21 = a.fma(b1, c21);
          c22 = a.fma(b2, c22);
          c23 = a.fma(b3, c23);
          a = FloatVector.broadcast(S, x[a0 + 3 * IN + k]);
          c30 = a.fma(b0, c30);
          c31 = a.fma(b1, c31);
          c32 = a.fma(b2, c32);
          c33 = a.fma(b3, c33);
        }
        FloatVector z = FloatVector.zero(S);
        FloatVector d0 = FloatVector.fromArray(S, bias, j);
        FloatVector d1 = FloatVector.fromArray(S, bias, j + L);
        FloatVector d2 = FloatVector.fromArray(S, bias, j + 2 * L);
        FloatVector d3 = FloatVector.fromArray(S, bias, j + 3 * L);
        int r = i * HID + j;
        c00.add(d0).max(z).intoArray(h, r);
        c01.add(d1).max(z).intoArray(h, r + L);
        c02.add(d2).max(z).intoArray(h, r + 2 * L);
        c03.add(d3).max(z).intoArray(h, r + 3 * L);
        r += HID;
        c10.add(d0).max(z).intoArray(h, r);
        c11.add(d1).max(z).intoArray(h, r + L);
        c12.add(d2).max(z).intoArray(h, r + 2 * L);
        c13.add(d3).max(z).intoArray(h, r + 3 * L);
        r += HID;
        c20.add(d0).max(z).intoArray(h, r);
        c21.add(d1).max(z).intoArray(h, r + L);
        c22.add(d2).max(z).intoArray(h, r + 2 * L);
        c23.add(d3).max(z).intoArray(h, r + 3 * L);
        r += HID;
        c30.add(d0).max(z).intoArray(h, r);
        c31.add(d1).max(z).intoArray(h, r + L);
        c32.add(d2).max(z).intoArray(h, r + 2 * L);
        c33.add(d3).max(z).intoArray(h, r + 3 * L);
      }
    }
    for (; i < m; i++) {
      for (int j = 0; j < HID; j += L) {
        FloatVector c0 = FloatVector.zero(S);
        for (int k = 0; k < IN; k++) {
          c0 =
              FloatVector.broadcast(S, x[i * IN + k])
                  .fma(FloatVector.fromArray(S, w, k * HID + j), c0);
        }
        c0.add(FloatVector.fromArray(S, bias, j)).max(0f).intoArray(h, i * HID + j);
      }
    }
  }

  // ---------------------------------------------------------------- forward 2: h W2 + b2 (n = 10)

  /** logits[m,10] = h[m,256] @ w[256,10] + bias, plain i-k-j loops. */
  public static void fwd2Scalar(float[] h, float[] w, float[] bias, float[] out, int m) {
    for (int i = 0; i < m; i++) {
      int lo = i * OUT;
      System.arraycopy(bias, 0, out, lo, OUT);
      for (int k = 0; k < HID; k++) {
        float a = h[i * HID + k];
        for (int j = 0; j < OUT; j++) {
          out[lo + j] += a * w[k * OUT + j];
        }
      }
    }
  }

  /**
   * Column strips of a row of width 10: strip {@code s} covers columns {@code [s L, min((s+1) L,
   * 10))}. One strip on 16 lanes (AVX-512), two on 8 (AVX2), three on 4 (128-bit NEON/SSE).
   */
  static final int STRIPS = (OUT + L - 1) / L;

  /** Strip {@code s}'s lanes inside the row (all lanes but those of the last, partial strip). */
  static VectorMask<Float> stripMask(int s) {
    return S.indexInRange(s * L, OUT);
  }

  /**
   * Stores strip {@code j0 = s L} of {@code c} at {@code out[o..)}, o = row * 10 + j0. JDK 17 does
   * not intrinsify masked stores, so a full store is used wherever it stays inside the array: lanes
   * past the row's end then land on the next row's first columns. Callers store rows in ascending
   * order and each row's strips in descending order, so every such lane is overwritten later; at
   * the array's end the lanes are extracted one by one.
   */
  static void storeStrip(FloatVector c, float[] out, int o, int j0) {
    if (o + L <= out.length) {
      c.intoArray(out, o);
    } else {
      for (int j = 0; j < Math.min(L, OUT - j0); j++) {
        out[o + j] = c.lane(j);
      }
    }
  }

  /**
   * n = 10 as column strips of the preferred species (the last one partial, lanes past the row
   * masked off): per strip, 8 rows of accumulators across k. The k loop reads full vectors (lanes
   * past the row land in accumulator lanes that are never stored); only the rows of w whose full
   * read would leave the array are read masked. Strips go right to left (see {@link #storeStrip}).
   */
  public static void fwd2Masked(float[] h, float[] w, float[] bias, float[] out, int m) {
    int i = 0;
    for (; i + 8 <= m; i += 8) {
      for (int s = STRIPS - 1; s >= 0; s--) {
        final int j0 = s * L;
        // rows of w a full vector read from column j0 stays inside
        final int kSafe = Math.min(HID, (HID * OUT - L - j0) / OUT + 1);
        final VectorMask<Float> mask = stripMask(s);
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        FloatVector c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        int a0 = i * HID;
        int k = 0;
        for (; k < kSafe; k++) {
          FloatVector b = FloatVector.fromArray(S, w, k * OUT + j0);
          c0 = FloatVector.broadcast(S, h[a0 + k]).fma(b, c0);
          c1 = FloatVector.broadcast(S, h[a0 + HID + k]).fma(b, c1);
          c2 = FloatVector.broadcast(S, h[a0 + 2 * HID + k]).fma(b, c2);
          c3 = FloatVector.broadcast(S, h[a0 + 3 * HID + k]).fma(b, c3);
          c4 = FloatVector.broadcast(S, h[a0 + 4 * HID + k]).fma(b, c4);
          c5 = FloatVector.broadcast(S, h[a0 + 5 * HID + k]).fma(b, c5);
          c6 = FloatVector.broadcast(S, h[a0 + 6 * HID + k]).fma(b, c6);
          c7 = FloatVector.broadcast(S, h[a0 + 7 * HID + k]).fma(b, c7);
        }
        for (; k < HID; k++) {
          FloatVector b = FloatVector.fromArray(S, w, k * OUT + j0, mask);
          c0 = FloatVector.broadcast(S, h[a0 + k]).fma(b, c0);
          c1 = FloatVector.broadcast(S, h[a0 + HID + k]).fma(b, c1);
          c2 = FloatVector.broadcast(S, h[a0 + 2 * HID + k]).fma(b, c2);
          c3 = FloatVector.broadcast(S, h[a0 + 3 * HID + k]).fma(b, c3);
          c4 = FloatVector.broadcast(S, h[a0 + 4 * HID + k]).fma(b, c4);
          c5 = FloatVector.broadcast(S, h[a0 + 5 * HID + k]).fma(b, c5);
          c6 = FloatVector.broadcast(S, h[a0 + 6 * HID + k]).fma(b, c6);
          c7 = FloatVector.broadcast(S, h[a0 + 7 * HID + k]).fma(b, c7);
        }
        FloatVector d = FloatVector.fromArray(S, bias, j0, mask);
        int r = i * OUT + j0;
        storeStrip(c0.add(d), out, r, j0);
        storeStrip(c1.add(d), out, r + OUT, j0);
        storeStrip(c2.add(d), out, r + 2 * OUT, j0);
        storeStrip(c3.add(d), out, r + 3 * OUT, j0);
        storeStrip(c4.add(d), out, r + 4 * OUT, j0);
        storeStrip(c5.add(d), out, r + 5 * OUT, j0);
        storeStrip(c6.add(d), out, r + 6 * OUT, j0);
        storeStrip(c7.add(d), out, r + 7 * OUT, j0);
      }
    }
    for (; i < m; i++) {
      for (int s = STRIPS - 1; s >= 0; s--) {
        final int j0 = s * L;
        final VectorMask<Float> mask = stripMask(s);
        FloatVector c0 = FloatVector.zero(S);
        for (int k = 0; k < HID; k++) {
          c0 =
              FloatVector.broadcast(S, h[i * HID + k])
                  .fma(FloatVector.fromArray(S, w, k * OUT + j0, mask), c0);
        }
        storeStrip(c0.add(FloatVector.fromArray(S, bias, j0, mask)), out, i * OUT + j0, j0);
      }
    }
  }

  /**
   * n = 10 as an 8-lane (256-bit) vector for columns 0..7 plus two scalar columns, 8 rows across k.
   * On cores that split 512-bit FMAs in two (Zen 4), a 256-bit FMA costs half a 512-bit one. The
   * 256-bit species is this kernel's experiment, not an assumption about the hardware: below 256
   * bits it runs (correctly) on the Vector API's Java fallback.
   */
  public static void fwd2Split(float[] h, float[] w, float[] bias, float[] out, int m) {
    int i = 0;
    for (; i + 8 <= m; i += 8) {
      FloatVector c0 = FloatVector.zero(S256), c1 = c0, c2 = c0, c3 = c0;
      FloatVector c4 = c0, c5 = c0, c6 = c0, c7 = c0;
      float s08 = 0, s09 = 0, s18 = 0, s19 = 0, s28 = 0, s29 = 0, s38 = 0, s39 = 0;
      float s48 = 0, s49 = 0, s58 = 0, s59 = 0, s68 = 0, s69 = 0, s78 = 0, s79 = 0;
      int a0 = i * HID;
      for (int k = 0; k < HID; k++) {
        int bk = k * OUT;
        FloatVector b = FloatVector.fromArray(S256, w, bk);
        float w8 = w[bk + 8];
        float w9 = w[bk + 9];
        float a;
        a = h[a0 + k];
        c0 = FloatVector.broadcast(S256, a).fma(b, c0);
        s08 = Math.fma(a, w8, s08);
        s09 = Math.fma(a, w9, s09);
        a = h[a0 + HID + k];
        c1 = FloatVector.broadcast(S256, a).fma(b, c1);
        s18 = Math.fma(a, w8, s18);
        s19 = Math.fma(a, w9, s19);
        a = h[a0 + 2 * HID + k];
        c2 = FloatVector.broadcast(S256, a).fma(b, c2);
        s28 = Math.fma(a, w8, s28);
        s29 = Math.fma(a, w9, s29);
        a = h[a0 + 3 * HID + k];
        c3 = FloatVector.broadcast(S256, a).fma(b, c3);
        s38 = Math.fma(a, w8, s38);
        s39 = Math.fma(a, w9, s39);
        a = h[a0 + 4 * HID + k];
        c4 = FloatVector.broadcast(S256, a).fma(b, c4);
        s48 = Math.fma(a, w8, s48);
        s49 = Math.fma(a, w9, s49);
        a = h[a0 + 5 * HID + k];
        c5 = FloatVector.broadcast(S256, a).fma(b, c5);
        s58 = Math.fma(a, w8, s58);
        s59 = Math.fma(a, w9, s59);
        a = h[a0 + 6 * HID + k];
        c6 = FloatVector.broadcast(S256, a).fma(b, c6);
        s68 = Math.fma(a, w8, s68);
        s69 = Math.fma(a, w9, s69);
        a = h[a0 + 7 * HID + k];
        c7 = FloatVector.broadcast(S256, a).fma(b, c7);
        s78 = Math.fma(a, w8, s78);
        s79 = Math.fma(a, w9, s79);
      }
      FloatVector d = FloatVector.fromArray(S256, bias, 0);
      float d8 = bias[8];
      float d9 = bias[9];
      int r = i * OUT;
      c0.add(d).intoArray(out, r);
      out[r + 8] = s08 + d8;
      out[r + 9] = s09 + d9;
      r += OUT;
      c1.add(d).intoArray(out, r);
      out[r + 8] = s18 + d8;
      out[r + 9] = s19 + d9;
      r += OUT;
      c2.add(d).intoArray(out, r);
      out[r + 8] = s28 + d8;
      out[r + 9] = s29 + d9;
      r += OUT;
      c3.add(d).intoArray(out, r);
      out[r + 8] = s38 + d8;
      out[r + 9] = s39 + d9;
      r += OUT;
      c4.add(d).intoArray(out, r);
      out[r + 8] = s48 + d8;
      out[r + 9] = s49 + d9;
      r += OUT;
      c5.add(d).intoArray(out, r);
      out[r + 8] = s58 + d8;
      out[r + 9] = s59 + d9;
      r += OUT;
      c6.add(d).intoArray(out, r);
      out[r + 8] = s68 + d8;
      out[r + 9] = s69 + d9;
      r += OUT;
      c7.add(d).intoArray(out, r);
      out[r + 8] = s78 + d8;
      out[r + 9] = s79 + d9;
    }
    for (; i < m; i++) {
      int lo = i * OUT;
      System.arraycopy(bias, 0, out, lo, OUT);
      for (int k = 0; k < HID; k++) {
        float a = h[i * HID + k];
        for (int j = 0; j < OUT; j++) {
          out[lo + j] += a * w[k * OUT + j];
        }
      }
    }
  }

  /**
   * n = 10 in dot form: w packed once as wᵀ [10,256] into scratch, then for 2 rows x 5 columns of
   * the output, accumulators over k (contiguous in both h's rows and wᵀ's rows), reduced at the
   * end.
   */
  public static void fwd2Dot(float[] h, float[] w, float[] wt, float[] bias, float[] out, int m) {
    for (int r = 0; r < HID; r++) {
      for (int j = 0; j < OUT; j++) {
        wt[j * HID + r] = w[r * OUT + j];
      }
    }
    int i = 0;
    for (; i + 2 <= m; i += 2) {
      for (int j = 0; j < OUT; j += 5) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c04 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00;
        int a0 = i * HID;
        int b0 = j * HID;
        for (int k = 0; k < HID; k += L) {
          FloatVector x0 = FloatVector.fromArray(S, h, a0 + k);
          FloatVector x1 = FloatVector.fromArray(S, h, a0 + HID + k);
          FloatVector y = FloatVector.fromArray(S, wt, b0 + k);
          c00 = x0.fma(y, c00);
          c10 = x1.fma(y, c10);
          y = FloatVector.fromArray(S, wt, b0 + HID + k);
          c01 = x0.fma(y, c01);
          c11 = x1.fma(y, c11);
          y = FloatVector.fromArray(S, wt, b0 + 2 * HID + k);
          c02 = x0.fma(y, c02);
          c12 = x1.fma(y, c12);
          y = FloatVector.fromArray(S, wt, b0 + 3 * HID + k);
          c03 = x0.fma(y, c03);
          c13 = x1.fma(y, c13);
          y = FloatVector.fromArray(S, wt, b0 + 4 * HID + k);
          c04 = x0.fma(y, c04);
          c14 = x1.fma(y, c14);
        }
        int o = i * OUT + j;
        out[o] = c00.reduceLanes(VectorOperators.ADD) + bias[j];
        out[o + 1] = c01.reduceLanes(VectorOperators.ADD) + bias[j + 1];
        out[o + 2] = c02.reduceLanes(VectorOperators.ADD) + bias[j + 2];
        out[o + 3] = c03.reduceLanes(VectorOperators.ADD) + bias[j + 3];
        out[o + 4] = c04.reduceLanes(VectorOperators.ADD) + bias[j + 4];
        o += OUT;
        out[o] = c10.reduceLanes(VectorOperators.ADD) + bias[j];
        out[o + 1] = c11.reduceLanes(VectorOperators.ADD) + bias[j + 1];
        out[o + 2] = c12.reduceLanes(VectorOperators.ADD) + bias[j + 2];
        out[o + 3] = c13.reduceLanes(VectorOperators.ADD) + bias[j + 3];
        out[o + 4] = c14.reduceLanes(VectorOperators.ADD) + bias[j + 4];
      }
    }
    for (; i < m; i++) {
      for (int j = 0; j < OUT; j++) {
        FloatVector c = FloatVector.zero(S);
        for (int k = 0; k < HID; k += L) {
          c =
              FloatVector.fromArray(S, h, i * HID + k)
                  .fma(FloatVector.fromArray(S, wt, j * HID + k), c);
        }
        out[i * OUT + j] = c.reduceLanes(VectorOperators.ADD) + bias[j];
      }
    }
  }

  // ---------------------------------------------------------------- input gradient: e W2ᵀ

  /** d[m,256] = e[m,10] @ w[256,10]ᵀ, plain loops (dot over the contiguous axis of w's rows). */
  public static void bwdInScalar(float[] e, float[] w, float[] d, int m) {
    for (int i = 0; i < m; i++) {
      for (int r = 0; r < HID; r++) {
        float s = 0;
        for (int j = 0; j < OUT; j++) {
          s += e[i * OUT + j] * w[r * OUT + j];
        }
        d[i * HID + r] = s;
      }
    }
  }

  /**
   * The same by packing wᵀ ([10,256], 2,560 floats) into scratch once, then the saxpy micro-kernel
   * with k = 10: 4 rows x 4 vectors of accumulators.
   */
  public static void bwdInPacked(float[] e, float[] w, float[] wt, float[] d, int m) {
    for (int r = 0; r < HID; r++) {
      for (int j = 0; j < OUT; j++) {
        wt[j * HID + r] = w[r * OUT + j];
      }
    }
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      for (int c = 0; c < HID; c += 4 * L) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int a0 = i * OUT;
        for (int k = 0; k < OUT; k++) {
          int bk = k * HID + c;
          FloatVector b0 = FloatVector.fromArray(S, wt, bk);
          FloatVector b1 = FloatVector.fromArray(S, wt, bk + L);
          FloatVector b2 = FloatVector.fromArray(S, wt, bk + 2 * L);
          FloatVector b3 = FloatVector.fromArray(S, wt, bk + 3 * L);
          FloatVector a = FloatVector.broadcast(S, e[a0 + k]);
          c00 = a.fma(b0, c00);
          c01 = a.fma(b1, c01);
          c02 = a.fma(b2, c02);
          c03 = a.fma(b3, c03);
          a = FloatVector.broadcast(S, e[a0 + OUT + k]);
          c10 = a.fma(b0, c10);
          c11 = a.fma(b1, c11);
          c12 = a.fma(b2, c12);
          c13 = a.fma(b3, c13);
          a = FloatVector.broadcast(S, e[a0 + 2 * OUT + k]);
          c20 = a.fma(b0, c20);
          c21 = a.fma(b1, c21);
          c22 = a.fma(b2, c22);
          c23 = a.fma(b3, c23);
          a = FloatVector.broadcast(S, e[a0 + 3 * OUT + k]);
          c30 = a.fma(b0, c30);
          c31 = a.fma(b1, c31);
          c32 = a.fma(b2, c32);
          c33 = a.fma(b3, c33);
        }
        int r = i * HID + c;
        c00.intoArray(d, r);
        c01.intoArray(d, r + L);
        c02.intoArray(d, r + 2 * L);
        c03.intoArray(d, r + 3 * L);
        r += HID;
        c10.intoArray(d, r);
        c11.intoArray(d, r + L);
        c12.intoArray(d, r + 2 * L);
        c13.intoArray(d, r + 3 * L);
        r += HID;
        c20.intoArray(d, r);
        c21.intoArray(d, r + L);
        c22.intoArray(d, r + 2 * L);
        c23.intoArray(d, r + 3 * L);
        r += HID;
        c30.intoArray(d, r);
        c31.intoArray(d, r + L);
        c32.intoArray(d, r + 2 * L);
        c33.intoArray(d, r + 3 * L);
      }
    }
    for (; i < m; i++) {
      for (int c = 0; c < HID; c += L) {
        FloatVector c0 = FloatVector.zero(S);
        for (int k = 0; k < OUT; k++) {
          c0 =
              FloatVector.broadcast(S, e[i * OUT + k])
                  .fma(FloatVector.fromArray(S, wt, k * HID + c), c0);
        }
        c0.intoArray(d, i * HID + c);
      }
    }
  }

  /**
   * Dot form without packing: for each output element the masked products of e's row and w's row
   * (10 lanes, in column strips), accumulated and reduced across lanes. Four rows of e share each w
   * row.
   */
  public static void bwdInDot(float[] e, float[] w, float[] d, int m) {
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      for (int r = 0; r < HID; r++) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        for (int s = 0; s < STRIPS; s++) {
          int j0 = s * L;
          VectorMask<Float> mask = stripMask(s);
          FloatVector b = FloatVector.fromArray(S, w, r * OUT + j0, mask);
          a0 = FloatVector.fromArray(S, e, i * OUT + j0, mask).fma(b, a0);
          a1 = FloatVector.fromArray(S, e, (i + 1) * OUT + j0, mask).fma(b, a1);
          a2 = FloatVector.fromArray(S, e, (i + 2) * OUT + j0, mask).fma(b, a2);
          a3 = FloatVector.fromArray(S, e, (i + 3) * OUT + j0, mask).fma(b, a3);
        }
        d[i * HID + r] = a0.reduceLanes(VectorOperators.ADD);
        d[(i + 1) * HID + r] = a1.reduceLanes(VectorOperators.ADD);
        d[(i + 2) * HID + r] = a2.reduceLanes(VectorOperators.ADD);
        d[(i + 3) * HID + r] = a3.reduceLanes(VectorOperators.ADD);
      }
    }
    for (; i < m; i++) {
      for (int r = 0; r < HID; r++) {
        FloatVector a0 = FloatVector.zero(S);
        for (int s = 0; s < STRIPS; s++) {
          int j0 = s * L;
          VectorMask<Float> mask = stripMask(s);
          a0 =
              FloatVector.fromArray(S, e, i * OUT + j0, mask)
                  .fma(FloatVector.fromArray(S, w, r * OUT + j0, mask), a0);
        }
        d[i * HID + r] = a0.reduceLanes(VectorOperators.ADD);
      }
    }
  }

  // ---------------------------------------------------------------- weight gradients (k = batch)

  /** g[784,256] = x[m,784]ᵀ @ e[m,256], plain loops (batch outermost, saxpy rows of g). */
  public static void gradW1Scalar(float[] x, float[] e, float[] g, int m) {
    java.util.Arrays.fill(g, 0, IN * HID, 0f);
    for (int i = 0; i < m; i++) {
      int eo = i * HID;
      for (int k = 0; k < IN; k++) {
        float a = x[i * IN + k];
        int go = k * HID;
        for (int j = 0; j < HID; j++) {
          g[go + j] += a * e[eo + j];
        }
      }
    }
  }

  /**
   * The same, register-blocked over (rows of g, columns of g): 4 x 4 vectors of accumulators across
   * the batch; the 4 scalars of xᵀ for one batch row are adjacent in x.
   */
  public static void gradW1Vector(float[] x, float[] e, float[] g, int m) {
    for (int r = 0; r < IN; r += 4) {
      for (int c = 0; c < HID; c += 4 * L) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int k = 0; k < m; k++) {
          int bk = k * HID + c;
          FloatVector b0 = FloatVector.fromArray(S, e, bk);
          FloatVector b1 = FloatVector.fromArray(S, e, bk + L);
          FloatVector b2 = FloatVector.fromArray(S, e, bk + 2 * L);
          FloatVector b3 = FloatVector.fromArray(S, e, bk + 3 * L);
          int ak = k * IN + r;
          FloatVector a = FloatVector.broadcast(S, x[ak]);
          c00 = a.fma(b0, c00);
          c01 = a.fma(b1, c01);
          c02 = a.fma(b2, c02);
          c03 = a.fma(b3, c03);
          a = FloatVector.broadcast(S, x[ak + 1]);
          c10 = a.fma(b0, c10);
          c11 = a.fma(b1, c11);
          c12 = a.fma(b2, c12);
          c13 = a.fma(b3, c13);
          a = FloatVector.broadcast(S, x[ak + 2]);
          c20 = a.fma(b0, c20);
          c21 = a.fma(b1, c21);
          c22 = a.fma(b2, c22);
          c23 = a.fma(b3, c23);
          a = FloatVector.broadcast(S, x[ak + 3]);
          c30 = a.fma(b0, c30);
          c31 = a.fma(b1, c31);
          c32 = a.fma(b2, c32);
          c33 = a.fma(b3, c33);
        }
        int o = r * HID + c;
        c00.intoArray(g, o);
        c01.intoArray(g, o + L);
        c02.intoArray(g, o + 2 * L);
        c03.intoArray(g, o + 3 * L);
        o += HID;
        c10.intoArray(g, o);
        c11.intoArray(g, o + L);
        c12.intoArray(g, o + 2 * L);
        c13.intoArray(g, o + 3 * L);
        o += HID;
        c20.intoArray(g, o);
        c21.intoArray(g, o + L);
        c22.intoArray(g, o + 2 * L);
        c23.intoArray(g, o + 3 * L);
        o += HID;
        c30.intoArray(g, o);
        c31.intoArray(g, o + L);
        c32.intoArray(g, o + 2 * L);
        c33.intoArray(g, o + 3 * L);
      }
    }
  }

  /** g[256,10] = h[m,256]ᵀ @ e[m,10], plain loops. */
  public static void gradW2Scalar(float[] h, float[] e, float[] g, int m) {
    java.util.Arrays.fill(g, 0, HID * OUT, 0f);
    for (int i = 0; i < m; i++) {
      int eo = i * OUT;
      for (int k = 0; k < HID; k++) {
        float a = h[i * HID + k];
        int go = k * OUT;
        for (int j = 0; j < OUT; j++) {
          g[go + j] += a * e[eo + j];
        }
      }
    }
  }

  /**
   * n = 10 as column strips (see {@link #fwd2Masked}): per strip, 8 rows of g across the batch. e's
   * rows are read whole except those whose full read would leave the array.
   */
  public static void gradW2Masked(float[] h, float[] e, float[] g, int m) {
    for (int r = 0; r < HID; r += 8) {
      for (int s = STRIPS - 1; s >= 0; s--) {
        final int j0 = s * L;
        final int kSafe = m * OUT >= L + j0 ? Math.min(m, (m * OUT - L - j0) / OUT + 1) : 0;
        final VectorMask<Float> mask = stripMask(s);
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        FloatVector c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        int k = 0;
        for (; k < kSafe; k++) {
          FloatVector b = FloatVector.fromArray(S, e, k * OUT + j0);
          int ak = k * HID + r;
          c0 = FloatVector.broadcast(S, h[ak]).fma(b, c0);
          c1 = FloatVector.broadcast(S, h[ak + 1]).fma(b, c1);
          c2 = FloatVector.broadcast(S, h[ak + 2]).fma(b, c2);
          c3 = FloatVector.broadcast(S, h[ak + 3]).fma(b, c3);
          c4 = FloatVector.broadcast(S, h[ak + 4]).fma(b, c4);
          c5 = FloatVector.broadcast(S, h[ak + 5]).fma(b, c5);
          c6 = FloatVector.broadcast(S, h[ak + 6]).fma(b, c6);
          c7 = FloatVector.broadcast(S, h[ak + 7]).fma(b, c7);
        }
        for (; k < m; k++) {
          FloatVector b = FloatVector.fromArray(S, e, k * OUT + j0, mask);
          int ak = k * HID + r;
          c0 = FloatVector.broadcast(S, h[ak]).fma(b, c0);
          c1 = FloatVector.broadcast(S, h[ak + 1]).fma(b, c1);
          c2 = FloatVector.broadcast(S, h[ak + 2]).fma(b, c2);
          c3 = FloatVector.broadcast(S, h[ak + 3]).fma(b, c3);
          c4 = FloatVector.broadcast(S, h[ak + 4]).fma(b, c4);
          c5 = FloatVector.broadcast(S, h[ak + 5]).fma(b, c5);
          c6 = FloatVector.broadcast(S, h[ak + 6]).fma(b, c6);
          c7 = FloatVector.broadcast(S, h[ak + 7]).fma(b, c7);
        }
        int o = r * OUT + j0;
        storeStrip(c0, g, o, j0);
        storeStrip(c1, g, o + OUT, j0);
        storeStrip(c2, g, o + 2 * OUT, j0);
        storeStrip(c3, g, o + 3 * OUT, j0);
        storeStrip(c4, g, o + 4 * OUT, j0);
        storeStrip(c5, g, o + 5 * OUT, j0);
        storeStrip(c6, g, o + 6 * OUT, j0);
        storeStrip(c7, g, o + 7 * OUT, j0);
      }
    }
  }
}
