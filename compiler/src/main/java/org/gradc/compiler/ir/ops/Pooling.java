package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * What max and average pooling share: their parameters as the language spells them ({@code window =
 * 2, stride = window, padding = 0}), the window's geometry, and the shape rule.
 */
final class Pooling {
  private Pooling() {}

  static List<Parameter> parameters() {
    return List.of(
        Parameter.tensor("x"),
        Def.intsOr("window", 2),
        Def.intsOr("stride", Def.SAME_AS_WINDOW),
        Def.intsOr("padding", 0));
  }

  /** The geometry of a call; {@code stride} defaults to the window. */
  static Window2d window(String op, Def.Args a) throws ShapeError {
    int[] k = Window2d.pair(op, "window", a.ints("window"), 1);
    int[] stride = a.isDefault("stride", Def.SAME_AS_WINDOW) ? k : a.ints("stride");
    Window2d w = Window2d.of(op, k[0], k[1], stride, a.ints("padding"), new int[] {1});
    if (2 * Math.max(w.pt(), w.pb()) > w.kh() || 2 * Math.max(w.pl(), w.pr()) > w.kw()) {
      throw new ShapeError(
          "E0319",
          op
              + ": padding must be at most half the window, got "
              + w.describe()
              + ", so a window could lie entirely in the padding",
          "as in PyTorch; pad the input explicitly if you need more");
    }
    return w;
  }

  /** The pooled type: {@code [n, oh, ow, c]}. */
  static TensorType infer(String op, Window2d window, List<TensorType> inputs) throws ShapeError {
    TensorType x = inputs.get(0);
    Broadcasting.sameFloat(op, inputs);
    Window2d.requireImage(op, "an image x", x);
    int[] hw = window.out(op, x);
    return new TensorType(x.dtype(), Conv2d.shape(x.shape(), hw[0], hw[1], x.shape().dim(3)));
  }

  /**
   * The first of the {@code count} indices holding the window's maximum, in row-major window order:
   * the documented rule for max-pooling ties.
   */
  static int argmax(double[] x, int[] taps, int count) {
    int best = taps[0];
    for (int t = 1; t < count; t++) {
      if (x[taps[t]] > x[best]) {
        best = taps[t];
      }
    }
    return best;
  }
}
