package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * Max pooling of an NHWC image {@code [n, h, w, c]} over {@code kh × kw} windows per channel,
 * giving {@code [n, oh, ow, c]}; padding never wins (it counts as −∞). The cotangent goes to the
 * arg-max of each window ({@link MaxPool2dGrad}); on a tie, to the first maximal element in
 * row-major window order (top row first, left to right), the one PyTorch's CPU kernel picks.
 */
public record MaxPool2d(Window2d window) implements org.gradc.compiler.ir.Op {
  public static final Primitive PRIMITIVE =
      new Def(
          "max_pool2d",
          Pooling.parameters(),
          "the maximum of each window of an NHWC image, per channel (stride defaults to the window)",
          (e, a) -> e.maxPool2d(a.tensor("x"), Pooling.window("max_pool2d", a)));

  @Override
  public String name() {
    return "max_pool2d(" + window.describe() + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    return Pooling.infer("max_pool2d", window, inputs);
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    return List.of(Emit.at(b, out).maxPool2dGrad(out.input(0), g, window));
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    int[] xd = out.input(0).shape().concrete(batch);
    double[] x = inputs.get(0);
    double[] y = new double[(int) out.shape().size(batch)];
    window.forEachWindow(
        xd[0], xd[1], xd[2], xd[3], (o, taps, n) -> y[o] = x[Pooling.argmax(x, taps, n)]);
    return y;
  }
}
