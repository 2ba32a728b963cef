package org.gradc.compiler.ir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.syntax.FrontEnd;
import org.junit.jupiter.api.Test;

/**
 * Convolution and pooling: reference evaluation against hand-computed values and an independent
 * per-output formula, shape rules, "same" padding, and the located shape errors.
 */
class ConvOpsTest {
  private final Graph.Builder b = Graph.builder().precision(DType.F64);
  private final Emit e = new Emit(b, SourceSpan.SYNTHETIC);

  private double[] eval(Node n, Map<String, double[]> values, int batch) throws Exception {
    b.loss(e.sum(n, false));
    return Evaluator.evaluate(b.build(), values, batch).value(n);
  }

  private Node param(String name, int... dims) throws Exception {
    return e.param(name, new TensorType(DType.F64, Shape.of(dims)));
  }

  @Test
  void convolutionByHand() throws Exception {
    Node x = param("x", 1, 3, 3, 1);
    Node k = param("k", 2, 2, 1, 1);
    Node valid = e.conv2d(x, k, new int[] {1}, new int[] {0}, new int[] {1}, 1);
    // TensorFlow's "same" with stride 2 on 3 pixels: 2 outputs, one padding row/column at the end
    Node same = e.conv2dSame(x, k, new int[] {2}, new int[] {1}, 1);
    assertEquals(Shape.of(1, 2, 2, 1), same.shape());
    Map<String, double[]> v =
        Map.of("x", new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, "k", new double[] {1, 1, 1, 1});
    assertArrayEquals(new double[] {12, 16, 24, 28}, eval(valid, v, 1));
    assertArrayEquals(new double[] {12, 9, 15, 9}, eval(same, v, 1));
  }

  @Test
  void samePaddingIsTensorFlows() {
    // 28 pixels, 3×3, stride 2: 14 outputs need 13·2 + 3 − 28 = 1 padding, at the end
    assertArrayEquals(
        new int[] {0, 1, 0, 1},
        Window2d.samePadding(28, 28, 3, 3, new int[] {2, 2}, new int[] {1, 1}));
    assertArrayEquals(
        new int[] {1, 1, 2, 2},
        Window2d.samePadding(28, 28, 3, 5, new int[] {1, 1}, new int[] {1, 1}));
    // dilation 2 widens a 3-tap kernel to 5
    assertArrayEquals(
        new int[] {2, 2, 0, 0},
        Window2d.samePadding(7, 7, 3, 1, new int[] {1, 1}, new int[] {2, 1}));
  }

  @Test
  void poolingByHand() throws Exception {
    Node x = param("x", 1, 3, 3, 1);
    Window2d w2 = Window2d.of("t", 2, 2, new int[] {2}, new int[] {0, 1, 0, 1}, new int[] {1});
    Node mp = e.maxPool2d(x, w2);
    Node ap = e.avgPool2d(x, w2);
    // ties: 5 5 / 5 5 in the first window; the first (top-left) takes the gradient
    Node grad = e.maxPool2dGrad(x, e.fill(1, mp.shape()), w2);
    Map<String, double[]> v = Map.of("x", new double[] {5, 5, 3, 5, 5, 6, 7, 8, 9});
    assertArrayEquals(new double[] {5, 6, 8, 9}, eval(mp, v, 1));
    assertArrayEquals(new double[] {5, 4.5, 7.5, 9}, eval(ap, v, 1));
    assertArrayEquals(new double[] {1, 0, 0, 0, 0, 1, 0, 1, 1}, eval(grad, v, 1));
  }

  /** y[b, i, j, o], written per output element, independently of {@link Window2d#forEachTap}. */
  private static double[] naive(
      double[] x,
      int n,
      int h,
      int w,
      int c,
      double[] k,
      int kh,
      int kw,
      int co,
      Window2d g,
      int groups) {
    int oh = g.outH(h);
    int ow = g.outW(w);
    int cig = c / groups;
    double[] y = new double[n * oh * ow * co];
    for (int bi = 0; bi < n; bi++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          for (int o = 0; o < co; o++) {
            int group = o / (co / groups);
            double s = 0;
            for (int a = 0; a < kh; a++) {
              for (int bb = 0; bb < kw; bb++) {
                for (int ci = 0; ci < cig; ci++) {
                  int r = i * g.sh() + a * g.dh() - g.pt();
                  int q = j * g.sw() + bb * g.dw() - g.pl();
                  if (r >= 0 && r < h && q >= 0 && q < w) {
                    s +=
                        x[((bi * h + r) * w + q) * c + group * cig + ci]
                            * k[((a * kw + bb) * cig + ci) * co + o];
                  }
                }
              }
            }
            y[((bi * oh + i) * ow + j) * co + o] = s;
          }
        }
      }
    }
    return y;
  }

  @Test
  void convolutionMatchesAnIndependentFormula() throws Exception {
    Random rnd = new Random(11);
    for (int trial = 0; trial < 40; trial++) {
      Graph.Builder gb = Graph.builder().precision(DType.F64);
      Emit ge = new Emit(gb, SourceSpan.SYNTHETIC);
      int groups = 1 + rnd.nextInt(3);
      int c = groups * (1 + rnd.nextInt(2));
      int co = groups * (1 + rnd.nextInt(2));
      int kh = 1 + rnd.nextInt(4);
      int kw = 1 + rnd.nextInt(4);
      Window2d g =
          Window2d.of(
              "t",
              kh,
              kw,
              new int[] {1 + rnd.nextInt(3), 1 + rnd.nextInt(3)},
              new int[] {rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3)},
              new int[] {1 + rnd.nextInt(2), 1 + rnd.nextInt(2)});
      int h = g.dh() * (kh - 1) + 1 + rnd.nextInt(4);
      int w = g.dw() * (kw - 1) + 1 + rnd.nextInt(4);
      int n = 1 + rnd.nextInt(2);
      double[] xv = rnd.doubles(n * h * w * c, -1, 1).toArray();
      double[] kv = rnd.doubles(kh * kw * (c / groups) * co, -1, 1).toArray();
      Node x = ge.input("x", new TensorType(DType.F64, Shape.batched(h, w, c)));
      Node k = ge.param("k", new TensorType(DType.F64, Shape.of(kh, kw, c / groups, co)));
      Node y = ge.conv2d(x, k, g, groups);
      gb.loss(ge.sum(y, false));
      double[] got = Evaluator.evaluate(gb.build(), Map.of("x", xv, "k", kv), n).value(y);
      double[] want = naive(xv, n, h, w, c, kv, kh, kw, co, g, groups);
      assertEquals(want.length, got.length);
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got[i], 1e-12, "trial " + trial + " [" + i + "]");
      }
    }
  }

  private static Diagnostic error(String body) {
    String text =
        "model M\ninput x: float[batch, 8, 8, 3]\ninput v: float[batch, 784]\n"
            + "param K: float[3, 3, 1, 6] = he_uniform\n"
            + body
            + "\nloss mean(h)\n";
    CompileException ex =
        assertThrows(
            CompileException.class,
            () -> FrontEnd.check(new SourceFile("m.grad", text), DType.F32));
    return ex.diagnostics().get(0);
  }

  @Test
  void shapeErrorsAreLocatedAndNameBothShapes() {
    Diagnostic d = error("h = conv2d(x, K)");
    assertEquals("E0316", d.code());
    assertEquals(
        "conv2d: the image has 3 channels but the kernel expects 1: x float[batch, 8, 8, 3], w"
            + " float[3, 3, 1, 6]",
        d.message());
    assertEquals("m.grad:5:5", d.span().toString());
    assertEquals("E0318", error("h = conv2d(x, K, groups = 2)").code());
    d = error("h = conv2d(x, K, groups = 3, dilation = 4)");
    assertEquals("E0317", d.code());
    assertTrue(d.message().contains("float[batch, 8, 8, 3]"), d.message());
    assertTrue(d.message().contains("0 × 0 positions"), d.message());
    assertEquals("E0319", error("h = conv2d(v, K)").code());
    assertEquals("E0319", error("h = conv2d(x, K, padding = [1, 2, 3], groups = 3)").code());
    assertEquals("E0319", error("h = conv2d(x, K, stride = 0, groups = 3)").code());
    assertEquals("E0319", error("h = max_pool2d(x, window = 2, padding = 2)").code());
    assertEquals("E0317", error("h = max_pool2d(x, window = 9)").code());
    assertEquals("E0306", error("h = flatten(sum(v, axes = 1))").code());
    d = error("h = conv2d(x, K, padding = same, groups = 3)");
    assertEquals("E0101", d.code());
    assertEquals(
        List.of("\"same\" padding is spelled `conv2d_same(x, w, stride = ..., dilation = ...)`"),
        d.hints());
  }

  @Test
  void languageSpellingsBuildTheSameNodes() throws Exception {
    String text =
        """
        model M
        input x: float[batch, 28, 28, 1]
        param K: float[3, 3, 1, 8] = he_uniform
        param D: float[3, 3, 1, 8] = he_uniform
        a = conv2d(x, K, stride = [2, 2], padding = [1, 1, 1, 1], dilation = [1, 1])
        b = conv2d(x, K, stride = 2, padding = 1)
        c = conv2d_same(a, D, groups = 8)
        p = max_pool2d(c)
        q = max_pool2d(c, window = 2, stride = 2, padding = 0)
        g = global_avg_pool2d(avg_pool2d(c, window = 3, stride = 1, padding = 1))
        loss mean(a - b) + mean(p - q) + mean(flatten(p)) + mean(g)
        """;
    var m = FrontEnd.check(new SourceFile("m.grad", text), DType.F32);
    Map<String, Node> v = m.values();
    assertTrue(v.get("a") == v.get("b"), "equal attributes hash-cons to one node");
    assertTrue(v.get("p") == v.get("q"), "stride defaults to the window");
    assertEquals(Shape.batched(14, 14, 8), v.get("c").shape());
    assertEquals(Shape.batched(7, 7, 8), v.get("p").shape());
    assertEquals(Shape.batched(8), v.get("g").shape());
    assertEquals(List.of("a", "b", "c", "p", "q", "g"), List.copyOf(v.keySet()));
  }
}
