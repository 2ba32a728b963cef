package org.gradc.compiler.ir.ops;

import java.util.Arrays;
import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * {@code v} read at the arg-max of each max-pooling window of {@code x} (ties: the first in
 * row-major window order): the transpose of {@link MaxPool2dGrad}'s routing, which second-order
 * derivatives through max pooling need ({@code max_pool2d(x)} is {@code max_pool2d_pick(x, x)}).
 *
 * <p>Linear in {@code v}, piecewise constant in {@code x}: with cotangent {@code d}, {@code dv =
 * max_pool2d_grad(x, d)} and no gradient for {@code x}.
 */
public record MaxPool2dPick(Window2d window) implements org.gradc.compiler.ir.Op {

  @Override
  public String name() {
    return "max_pool2d_pick(" + window.describe() + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    if (!inputs.get(0).equals(inputs.get(1))) {
      throw new ShapeError(
          "E0316",
          "max_pool2d_pick: the values "
              + inputs.get(1)
              + " do not fit the image "
              + inputs.get(0));
    }
    return Pooling.infer("max_pool2d_pick", window, inputs.subList(0, 1));
  }

  @Override
  public List<Node> vjp(Node out, Node d, Graph.Builder b) throws ShapeError {
    return Arrays.asList(null, Emit.at(b, out).maxPool2dGrad(out.input(0), d, window));
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    int[] xd = out.input(0).shape().concrete(batch);
    double[] x = inputs.get(0);
    double[] v = inputs.get(1);
    double[] y = new double[(int) out.shape().size(batch)];
    window.forEachWindow(
        xd[0], xd[1], xd[2], xd[3], (o, taps, n) -> y[o] = v[Pooling.argmax(x, taps, n)]);
    return y;
  }
}
