package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * A grouped 2-D convolution (cross-correlation, as in every framework) of an NHWC image {@code x
 * [n, h, w, c]} with an HWIO kernel {@code w [kh, kw, c / groups, co]}, giving {@code [n, oh, ow,
 * co]}: {@code y[b, i, j, o] = Σ x[b, i·sh − pt + ki·dh, j·sw − pl + kj·dw, g·c/groups + ci] ·
 * w[ki, kj, ci, o]} over the kernel taps inside the image, with {@code g = o / (co / groups)}.
 * {@code groups = c} is a depthwise convolution.
 *
 * <p>The VJP is the input gradient ({@link Conv2dInputGrad}, a transposed convolution of the
 * cotangent) and the weight gradient ({@link Conv2dWeightGrad}, a correlation of the image with the
 * cotangent). All three are bilinear and each one's VJP is built from the three, so any order of
 * derivative stays within them.
 */
public record Conv2d(Window2d window, int groups) implements org.gradc.compiler.ir.Op {
  public static final Primitive PRIMITIVE =
      new Def(
          "conv2d",
          List.of(
              Parameter.tensor("x"),
              Parameter.tensor("w"),
              Def.intsOr("stride", 1),
              Def.intsOr("padding", 0),
              Def.intsOr("dilation", 1),
              Def.integer("groups", 1)),
          "the 2-D convolution of an NHWC image x with an HWIO kernel w [kh, kw, c / groups, c_out]",
          (e, a) ->
              e.conv2d(
                  a.tensor("x"),
                  a.tensor("w"),
                  a.ints("stride"),
                  a.ints("padding"),
                  a.ints("dilation"),
                  a.integer("groups")));

  /** conv2d with TensorFlow's "same" padding: the output has ceil(n / stride) positions. */
  public static final Primitive SAME =
      new Def(
          "conv2d_same",
          List.of(
              Parameter.tensor("x"),
              Parameter.tensor("w"),
              Def.intsOr("stride", 1),
              Def.intsOr("dilation", 1),
              Def.integer("groups", 1)),
          "conv2d with TensorFlow's \"same\" padding: ceil(n / stride) output positions, the odd"
              + " padding at the bottom and right",
          (e, a) ->
              e.conv2dSame(
                  a.tensor("x"),
                  a.tensor("w"),
                  a.ints("stride"),
                  a.ints("dilation"),
                  a.integer("groups")));

  @Override
  public String name() {
    return "conv2d(" + window.describe() + (groups == 1 ? "" : ", groups " + groups) + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType x = inputs.get(0);
    TensorType w = inputs.get(1);
    DType d = Broadcasting.sameFloat("conv2d", inputs);
    int[] hw = checkOperands("conv2d", window, groups, x, w);
    return new TensorType(d, shape(x.shape(), hw[0], hw[1], w.shape().dim(3)));
  }

  /**
   * Checks an image and a kernel against each other; returns the output's spatial extents.
   *
   * @throws ShapeError E0319 (ranks), E0318 (groups), E0316 (channels), E0317 (window too large)
   */
  static int[] checkOperands(String op, Window2d window, int groups, TensorType x, TensorType w)
      throws ShapeError {
    Window2d.requireImage(op, "an image x", x);
    requireKernel(op, w);
    int c = x.shape().dim(3);
    int cig = w.shape().dim(2);
    int co = w.shape().dim(3);
    if (groups < 1 || c % groups != 0 || co % groups != 0) {
      throw new ShapeError(
          "E0318",
          op
              + ": groups = "
              + groups
              + " must divide the input channels and the output channels, got x "
              + x
              + " and w "
              + w,
          "groups = c_in is a depthwise convolution; the kernel is then [kh, kw, 1, c_out]");
    }
    if (cig * groups != c) {
      throw new ShapeError(
          "E0316",
          op
              + ": the image has "
              + c
              + " channels but the kernel expects "
              + cig * groups
              + (groups == 1 ? "" : " (" + cig + " per group × " + groups + " groups)")
              + ": x "
              + x
              + ", w "
              + w,
          "the kernel is [kh, kw, c_in / groups, c_out] with c_in the image's last extent");
    }
    if (window.kh() != w.shape().dim(0) || window.kw() != w.shape().dim(1)) {
      throw new IllegalArgumentException(
          "window " + window.describe() + " does not match the kernel " + w);
    }
    return window.out(op, x);
  }

  /**
   * @throws ShapeError E0319 unless {@code w} is an unbatched rank-4 HWIO kernel
   */
  static void requireKernel(String op, TensorType w) throws ShapeError {
    if (w.shape().rank() != 4 || w.shape().isBatched()) {
      throw new ShapeError(
          "E0319",
          op + " expects a kernel w of rank 4 (HWIO: [kh, kw, c_in / groups, c_out]), got " + w,
          "a 3×3 kernel from 1 to 16 channels is float[3, 3, 1, 16]");
    }
  }

  static Shape shape(Shape x, int h, int w, int c) {
    return Shape.of(x.dim(0), h, w, c);
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node x = out.input(0);
    Node w = out.input(1);
    return List.of(
        e.conv2dInputGrad(g, w, window, groups, x.shape().dim(1), x.shape().dim(2)),
        e.conv2dWeightGrad(x, g, window, groups));
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    int[] xd = out.input(0).shape().concrete(batch);
    int co = out.shape().dim(3);
    double[] x = inputs.get(0);
    double[] w = inputs.get(1);
    double[] y = new double[(int) out.shape().size(batch)];
    window.forEachTap(xd[0], xd[1], xd[2], xd[3], co, groups, (i, k, o) -> y[o] += x[i] * w[k]);
    return y;
  }
}
