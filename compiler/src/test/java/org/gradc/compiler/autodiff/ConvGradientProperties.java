package org.gradc.compiler.autodiff;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Primitives;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;

/**
 * conv2d, max_pool2d and avg_pool2d on random configurations — kernels 1–5, strides 1–3, dilations
 * 1–2, every padding form (an int, [h, w], [top, bottom, left, right], "same"), odd and even image
 * sizes, groups 1, 2 and depthwise, f32 and f64 graphs through the evaluator — against central
 * finite differences (first order), and Hessian-vector products through them (second order).
 */
class ConvGradientProperties {

  /** One random graph: the parameters' values and a builder in a random precision. */
  private static final class Case {
    final Random rnd;
    final DType dtype;
    final Graph.Builder b;
    final Emit e;
    final int batch;
    final Map<String, double[]> values = new HashMap<>();
    final StringBuilder what = new StringBuilder();

    Case(long seed) {
      rnd = new Random(seed);
      dtype = rnd.nextBoolean() ? DType.F32 : DType.F64;
      b = Graph.builder().precision(dtype);
      e = new Emit(b, SourceSpan.SYNTHETIC);
      batch = 1 + rnd.nextInt(2);
    }

    int between(int lo, int hi) {
      return lo + rnd.nextInt(hi - lo + 1);
    }

    /** A parameter of random values in [-1, 1]; distinct (0.01 apart) if asked, for max-pool. */
    Node param(String name, Shape s, boolean distinct) throws ShapeError {
      double[] v = new double[(int) s.size(batch)];
      for (int i = 0; i < v.length; i++) {
        v[i] = distinct ? (i - v.length / 2.0) * 0.01 : 2 * rnd.nextDouble() - 1;
      }
      if (distinct) {
        for (int i = v.length - 1; i > 0; i--) {
          int j = rnd.nextInt(i + 1);
          double t = v[i];
          v[i] = v[j];
          v[j] = t;
        }
      }
      values.put(name, v);
      return e.param(name, new TensorType(dtype, s));
    }

    /** {@code sum(r ⊙ out)} with random weights r; first order, then second order. */
    void check(Node out, boolean square) throws Exception {
      double[] r = new double[(int) out.shape().size(batch)];
      for (int i = 0; i < r.length; i++) {
        r[i] = 2 * rnd.nextDouble() - 1;
      }
      values.put("r", r);
      Node weighted = e.mul(square ? e.mul(out, out) : out, e.input("r", out.type()));
      b.loss(e.sum(weighted, false));
      Graph forward = b.build();
      try {
        GradientCheck.check(forward, values, batch);
      } catch (AssertionError err) {
        throw new AssertionError(what + ": " + err.getMessage(), err);
      }
      GradientCheck.hessianVectorProduct(
          forward, values, batch, Map.of(), rnd.nextLong(), 1e-5, what.toString());
    }
  }

  /** A padding argument of a random form, or null for "same". */
  private static int[] padding(Case c, int kh, int kw) {
    return switch (c.rnd.nextInt(4)) {
      case 0 -> new int[] {c.between(0, kh / 2 + 1)};
      case 1 -> new int[] {c.between(0, kh / 2 + 1), c.between(0, kw / 2 + 1)};
      case 2 -> new int[] {c.between(0, kh), c.between(0, kh), c.between(0, kw), c.between(0, kw)};
      default -> null;
    };
  }

  @Property(tries = 40)
  void conv2d(@ForAll long seed) throws Exception {
    Case c = new Case(seed);
    int kh = c.between(1, 5);
    int kw = c.between(1, 5);
    int[] stride = {c.between(1, 3), c.between(1, 3)};
    int[] dilation = {c.between(1, 2), c.between(1, 2)};
    int[] padding = padding(c, kh, kw);
    int groups;
    int cin;
    int cout;
    switch (c.rnd.nextInt(3)) {
      case 0 -> {
        groups = 1;
        cin = c.between(1, 3);
        cout = c.between(1, 3);
      }
      case 1 -> {
        groups = 2;
        cin = 2 * c.between(1, 2);
        cout = 2 * c.between(1, 2);
      }
      default -> {
        cin = c.between(1, 3);
        groups = cin; // depthwise, with a channel multiplier of 1 or 2
        cout = cin * c.between(1, 2);
      }
    }
    int[] pad = padding == null ? new int[] {0} : padding;
    int padH = pad.length == 4 ? pad[0] + pad[1] : 2 * pad[0];
    int padW = pad.length == 4 ? pad[2] + pad[3] : 2 * (pad.length == 2 ? pad[1] : pad[0]);
    int h = Math.max(1, dilation[0] * (kh - 1) + 1 - padH) + c.between(0, 3);
    int w = Math.max(1, dilation[1] * (kw - 1) + 1 - padW) + c.between(0, 3);
    c.what.append(
        String.format(
            "conv2d %s image %dx%dx%d, kernel %dx%d -> %d, stride %s, dilation %s, padding %s,"
                + " groups %d, batch %d",
            c.dtype,
            h,
            w,
            cin,
            kh,
            kw,
            cout,
            java.util.Arrays.toString(stride),
            java.util.Arrays.toString(dilation),
            padding == null ? "same" : java.util.Arrays.toString(padding),
            groups,
            c.batch));
    Node x = c.param("x", Shape.batched(h, w, cin), false);
    Node k = c.param("k", Shape.of(kh, kw, cin / groups, cout), false);
    Node y =
        padding == null
            ? c.e.conv2dSame(x, k, stride, dilation, groups)
            : c.e.conv2d(x, k, stride, padding, dilation, groups);
    c.check(y, true);
  }

  @Property(tries = 30)
  void pooling(@ForAll long seed, @ForAll boolean max) throws Exception {
    Case c = new Case(seed);
    int kh = c.between(1, 4);
    int kw = c.between(1, 4);
    int[] window = kh == kw && c.rnd.nextBoolean() ? new int[] {kh} : new int[] {kh, kw};
    int[] stride = {c.between(1, 3), c.between(1, 3)};
    int[] padding =
        switch (c.rnd.nextInt(3)) {
          case 0 -> new int[] {c.between(0, Math.min(kh, kw) / 2)};
          case 1 -> new int[] {c.between(0, kh / 2), c.between(0, kw / 2)};
          default ->
              new int[] {
                c.between(0, kh / 2),
                c.between(0, kh / 2),
                c.between(0, kw / 2),
                c.between(0, kw / 2)
              };
        };
    int channels = c.between(1, 3);
    int h = kh + c.between(0, 4);
    int w = kw + c.between(0, 4);
    String op = max ? "max_pool2d" : "avg_pool2d";
    Primitive pool = Primitives.lookup(op);
    Map<String, Object> args = new HashMap<>();
    args.put("window", window);
    // the language's default stride (the window) half of the time
    args.put("stride", c.rnd.nextBoolean() ? stride : pool.parameters().get(2).defaultValue());
    args.put("padding", padding);
    c.what.append(
        String.format(
            "%s %s image %dx%dx%d, window %s, stride %s, padding %s, batch %d",
            op,
            c.dtype,
            h,
            w,
            channels,
            java.util.Arrays.toString(window),
            args.get("stride") instanceof int[] s ? java.util.Arrays.toString(s) : "= window",
            java.util.Arrays.toString(padding),
            c.batch));
    // max-pooling gets distinct values, 0.01 apart, so finite differences never change an arg-max;
    // average pooling reads a convolution, so second order reaches both ops' gradients
    Node x = c.param("x", Shape.batched(h, w, channels), max);
    if (max) {
      args.put("x", x);
    } else {
      Node k = c.param("k", Shape.of(2, 2, channels, channels), false);
      args.put("x", c.e.conv2d(x, k, new int[] {1}, new int[] {0, 1, 0, 1}, new int[] {1}, 1));
    }
    c.check(pool.apply(c.b, args, SourceSpan.SYNTHETIC), true);
  }
}
