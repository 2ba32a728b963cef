package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * The input gradient of {@link Conv2d}: given the cotangent {@code g [n, oh, ow, co]} of a
 * convolution's output and its kernel {@code w}, the cotangent {@code [n, h, w, c]} of its image —
 * a transposed convolution, {@code dx[tap image index] += g[out] · w[tap kernel index]} over the
 * forward convolution's taps. {@code h} and {@code w} are attributes because several image sizes
 * give the same output size when the stride is greater than 1.
 *
 * <p>Linear in each operand: with cotangent {@code d} of its result, {@code dg = conv2d(d, w)} and
 * {@code dw = conv2d_weight_grad(d, g)}.
 */
public record Conv2dInputGrad(Window2d window, int groups, int height, int width)
    implements org.gradc.compiler.ir.Op {

  @Override
  public String name() {
    return "conv2d_input_grad("
        + window.describe()
        + (groups == 1 ? "" : ", groups " + groups)
        + ", to "
        + height
        + "×"
        + width
        + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType g = inputs.get(0);
    TensorType w = inputs.get(1);
    DType d = Broadcasting.sameFloat("conv2d_input_grad", inputs);
    Window2d.requireImage("conv2d_input_grad", "a cotangent", g);
    Shape x = Shape.of(g.shape().dim(0), height, width, w.shape().dim(2) * groups);
    int[] hw = Conv2d.checkOperands("conv2d_input_grad", window, groups, new TensorType(d, x), w);
    if (hw[0] != g.shape().dim(1)
        || hw[1] != g.shape().dim(2)
        || w.shape().dim(3) != g.shape().dim(3)) {
      throw new ShapeError(
          "E0316",
          "conv2d_input_grad: the cotangent " + g + " does not fit the kernel " + w + " on " + x);
    }
    return new TensorType(d, x);
  }

  @Override
  public List<Node> vjp(Node out, Node d, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node g = out.input(0);
    Node w = out.input(1);
    return List.of(e.conv2d(d, w, window, groups), e.conv2dWeightGrad(d, g, window, groups));
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    int[] xd = out.shape().concrete(batch);
    int co = out.input(0).shape().dim(3);
    double[] g = inputs.get(0);
    double[] w = inputs.get(1);
    double[] dx = new double[(int) out.shape().size(batch)];
    window.forEachTap(xd[0], xd[1], xd[2], xd[3], co, groups, (i, k, o) -> dx[i] += g[o] * w[k]);
    return dx;
  }
}
