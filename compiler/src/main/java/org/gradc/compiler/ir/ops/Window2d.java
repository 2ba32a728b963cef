package org.gradc.compiler.ir.ops;

import java.util.Arrays;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * The geometry of a window sliding over the two spatial axes of an NHWC image: a {@code kh × kw}
 * window (a convolution's kernel or a pooling window), its stride, its padding on each side and its
 * dilation. Output extents follow PyTorch: {@code floor((n + padding − dilation·(k − 1) − 1) /
 * stride) + 1}. Shared by {@link Conv2d}, the pooling ops and their gradients, which visit the same
 * taps through {@link #forEachTap}.
 */
public record Window2d(
    int kh, int kw, int sh, int sw, int pt, int pb, int pl, int pr, int dh, int dw) {

  public Window2d {
    if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1) {
      throw new IllegalArgumentException("window, stride and dilation must be >= 1: " + this);
    }
    if (pt < 0 || pb < 0 || pl < 0 || pr < 0) {
      throw new IllegalArgumentException("padding must be >= 0: " + this);
    }
  }

  /**
   * The geometry as a model writes it: {@code stride} and {@code dilation} an int or a pair {@code
   * [h, w]}, {@code padding} an int, a pair {@code [h, w]} (both sides alike) or {@code [top,
   * bottom, left, right]}.
   *
   * @throws ShapeError E0319 when a list has the wrong length or a value is out of range
   */
  static Window2d of(String op, int kh, int kw, int[] stride, int[] padding, int[] dilation)
      throws ShapeError {
    int[] s = pair(op, "stride", stride, 1);
    int[] d = pair(op, "dilation", dilation, 1);
    int[] p =
        switch (padding.length) {
          case 1 -> new int[] {padding[0], padding[0], padding[0], padding[0]};
          case 2 -> new int[] {padding[0], padding[0], padding[1], padding[1]};
          case 4 -> padding.clone();
          default ->
              throw new ShapeError(
                  "E0319",
                  op
                      + ": padding must be an int, [h, w] or [top, bottom, left, right], got "
                      + Arrays.toString(padding));
        };
    for (int v : p) {
      if (v < 0) {
        throw new ShapeError(
            "E0319", op + ": padding must be >= 0, got " + Arrays.toString(padding));
      }
    }
    return new Window2d(kh, kw, s[0], s[1], p[0], p[1], p[2], p[3], d[0], d[1]);
  }

  /** An int or a pair {@code [h, w]} of values {@code >= min}. */
  static int[] pair(String op, String what, int[] v, int min) throws ShapeError {
    if (v.length != 1 && v.length != 2) {
      throw new ShapeError(
          "E0319", op + ": " + what + " must be an int or [h, w], got " + Arrays.toString(v));
    }
    int[] hw = v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
    if (hw[0] < min || hw[1] < min) {
      throw new ShapeError(
          "E0319", op + ": " + what + " must be >= " + min + ", got " + Arrays.toString(v));
    }
    return hw;
  }

  /**
   * TensorFlow's "same" padding for an input of {@code h × w}: the output has {@code ceil(n /
   * stride)} positions per axis, and the padding this needs is split with the odd one at the end
   * (bottom, right), so it is asymmetric when the stride is greater than 1.
   */
  static int[] samePadding(int h, int w, int kh, int kw, int[] stride, int[] dilation) {
    int[] a = same(h, kh, stride[0], dilation[0]);
    int[] b = same(w, kw, stride[1], dilation[1]);
    return new int[] {a[0], a[1], b[0], b[1]};
  }

  private static int[] same(int n, int k, int s, int d) {
    int out = (n + s - 1) / s;
    int total = Math.max((out - 1) * s + (k - 1) * d + 1 - n, 0);
    return new int[] {total / 2, total - total / 2};
  }

  /** The output extent along the height for an input of height {@code h}; may be ≤ 0. */
  public int outH(int h) {
    return Math.floorDiv(h + pt + pb - dh * (kh - 1) - 1, sh) + 1;
  }

  public int outW(int w) {
    return Math.floorDiv(w + pl + pr - dw * (kw - 1) - 1, sw) + 1;
  }

  /**
   * The output extents for an image of type {@code x}.
   *
   * @throws ShapeError E0317 when the (dilated) window is larger than the padded input, so an
   *     output extent would be ≤ 0
   */
  int[] out(String op, TensorType x) throws ShapeError {
    int h = x.shape().dim(1);
    int w = x.shape().dim(2);
    int oh = outH(h);
    int ow = outW(w);
    if (oh <= 0 || ow <= 0) {
      throw new ShapeError(
          "E0317",
          op
              + ": the window "
              + describe()
              + " is larger than the padded input "
              + x
              + " (padded to "
              + (h + pt + pb)
              + " × "
              + (w + pl + pr)
              + "), so the output would have "
              + oh
              + " × "
              + ow
              + " positions",
          "pad the input, or use a smaller kernel, dilation or stride");
    }
    return new int[] {oh, ow};
  }

  /** {@code 3×3, stride [1, 1], padding [1, 1, 1, 1], dilation [1, 1]}. */
  public String describe() {
    return kh
        + "×"
        + kw
        + ", stride ["
        + sh
        + ", "
        + sw
        + "], padding ["
        + pt
        + ", "
        + pb
        + ", "
        + pl
        + ", "
        + pr
        + "], dilation ["
        + dh
        + ", "
        + dw
        + "]";
  }

  /**
   * Requires an NHWC image: rank 4, the batch axis (if any) first.
   *
   * @throws ShapeError E0319 otherwise
   */
  static void requireImage(String op, String what, TensorType t) throws ShapeError {
    if (t.shape().rank() != 4) {
      throw new ShapeError(
          "E0319",
          op + " expects " + what + " of rank 4 (NHWC: [batch, height, width, channels]), got " + t,
          "images are channels-last: an input float[batch, 28, 28, 1]");
    }
  }

  /** Receives one tap: flat indices into the image, the kernel and the output. */
  @FunctionalInterface
  interface Tap {
    void at(int image, int kernel, int output);
  }

  /**
   * Visits every tap of a grouped convolution of an {@code [n, h, w, c]} image with a {@code [kh,
   * kw, c / groups, co]} kernel, skipping taps that fall in the padding: the one loop the
   * convolution, its input gradient and its weight gradient share.
   */
  void forEachTap(int n, int h, int w, int c, int co, int groups, Tap tap) {
    int oh = outH(h);
    int ow = outW(w);
    int cig = c / groups;
    int cog = co / groups;
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          int out = ((b * oh + i) * ow + j) * co;
          for (int ki = 0; ki < kh; ki++) {
            int y = i * sh - pt + ki * dh;
            if (y < 0 || y >= h) {
              continue;
            }
            for (int kj = 0; kj < kw; kj++) {
              int x = j * sw - pl + kj * dw;
              if (x < 0 || x >= w) {
                continue;
              }
              int in = ((b * h + y) * w + x) * c;
              int k = (ki * kw + kj) * cig * co;
              for (int g = 0; g < groups; g++) {
                for (int ci = 0; ci < cig; ci++) {
                  for (int o = 0; o < cog; o++) {
                    int oc = g * cog + o;
                    tap.at(in + g * cig + ci, k + ci * co + oc, out + oc);
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /** Receives one pooling window: the output's flat index and the image's in-bounds indices. */
  @FunctionalInterface
  interface Pool {
    void at(int output, int[] image, int count);
  }

  /**
   * Visits every window of a pooling over an {@code [n, h, w, c]} image, per channel: the flat
   * indices of the image elements inside the window (padding excluded), in row-major window order
   * (the order that breaks a max-pool tie).
   */
  void forEachWindow(int n, int h, int w, int c, Pool pool) {
    int oh = outH(h);
    int ow = outW(w);
    int[] taps = new int[kh * kw];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          for (int ch = 0; ch < c; ch++) {
            int count = 0;
            for (int ki = 0; ki < kh; ki++) {
              int y = i * sh - pt + ki * dh;
              for (int kj = 0; kj < kw; kj++) {
                int x = j * sw - pl + kj * dw;
                if (y >= 0 && y < h && x >= 0 && x < w) {
                  taps[count++] = ((b * h + y) * w + x) * c + ch;
                }
              }
            }
            pool.at(((b * oh + i) * ow + j) * c + ch, taps, count);
          }
        }
      }
    }
  }
}
