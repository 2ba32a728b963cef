package org.gradc.compiler.ir.ops;

import java.util.Arrays;
import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * The gradient of {@link MaxPool2d}: given its image {@code x} and the cotangent {@code g} of its
 * output, the cotangent of the image: each window's {@code g} added at the window's arg-max (ties:
 * the first in row-major window order), zero elsewhere.
 *
 * <p>Linear in {@code g}, piecewise constant in {@code x} (the routing moves only when the arg-max
 * changes): with cotangent {@code d} of its result, {@code dg = max_pool2d_pick(x, d)} and no
 * gradient for {@code x}.
 */
public record MaxPool2dGrad(Window2d window) implements org.gradc.compiler.ir.Op {

  @Override
  public String name() {
    return "max_pool2d_grad(" + window.describe() + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType pooled = Pooling.infer("max_pool2d_grad", window, inputs.subList(0, 1));
    if (!pooled.equals(inputs.get(1))) {
      throw new ShapeError(
          "E0316",
          "max_pool2d_grad: the cotangent " + inputs.get(1) + " does not fit the pooled " + pooled);
    }
    return inputs.get(0);
  }

  @Override
  public List<Node> vjp(Node out, Node d, Graph.Builder b) throws ShapeError {
    return Arrays.asList(null, Emit.at(b, out).maxPool2dPick(out.input(0), d, window));
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    int[] xd = out.shape().concrete(batch);
    double[] x = inputs.get(0);
    double[] g = inputs.get(1);
    double[] dx = new double[x.length];
    window.forEachWindow(
        xd[0], xd[1], xd[2], xd[3], (o, taps, n) -> dx[Pooling.argmax(x, taps, n)] += g[o]);
    return dx;
  }
}
