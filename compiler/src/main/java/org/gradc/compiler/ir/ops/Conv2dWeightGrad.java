package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * The weight gradient of {@link Conv2d}: given its image {@code x [n, h, w, c]} and the cotangent
 * {@code g [n, oh, ow, co]} of its output, the cotangent {@code [kh, kw, c / groups, co]} of its
 * kernel, {@code dw[tap kernel index] += x[tap image index] · g[out]} over the forward
 * convolution's taps (summed over the batch, so the result is never batched).
 *
 * <p>Linear in each operand: with cotangent {@code d} of its result, {@code dx =
 * conv2d_input_grad(g, d)} and {@code dg = conv2d(x, d)}.
 */
public record Conv2dWeightGrad(Window2d window, int groups) implements org.gradc.compiler.ir.Op {

  @Override
  public String name() {
    return "conv2d_weight_grad("
        + window.describe()
        + (groups == 1 ? "" : ", groups " + groups)
        + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType x = inputs.get(0);
    TensorType g = inputs.get(1);
    DType d = Broadcasting.sameFloat("conv2d_weight_grad", inputs);
    Window2d.requireImage("conv2d_weight_grad", "a cotangent", g);
    Window2d.requireImage("conv2d_weight_grad", "an image x", x);
    Shape w = Shape.of(window.kh(), window.kw(), x.shape().dim(3) / groups, g.shape().dim(3));
    int[] hw = Conv2d.checkOperands("conv2d_weight_grad", window, groups, x, new TensorType(d, w));
    if (hw[0] != g.shape().dim(1)
        || hw[1] != g.shape().dim(2)
        || x.shape().dim(0) != g.shape().dim(0)) {
      throw new ShapeError(
          "E0316", "conv2d_weight_grad: the cotangent " + g + " does not fit the image " + x);
    }
    return new TensorType(d, w);
  }

  @Override
  public List<Node> vjp(Node out, Node d, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node x = out.input(0);
    Node g = out.input(1);
    return List.of(
        e.conv2dInputGrad(g, d, window, groups, x.shape().dim(1), x.shape().dim(2)),
        e.conv2d(x, d, window, groups));
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    int[] xd = out.input(0).shape().concrete(batch);
    int co = out.shape().dim(3);
    double[] x = inputs.get(0);
    double[] g = inputs.get(1);
    double[] dw = new double[(int) out.shape().size(batch)];
    window.forEachTap(xd[0], xd[1], xd[2], xd[3], co, groups, (i, k, o) -> dw[k] += x[i] * g[o]);
    return dw;
  }
}
