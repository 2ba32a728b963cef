package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * Average pooling of an NHWC image {@code [n, h, w, c]} over {@code kh × kw} windows per channel,
 * giving {@code [n, oh, ow, c]}. Padding is excluded from the average (PyTorch's {@code
 * count_include_pad=False}, TensorFlow's behaviour): a window divides by the number of image
 * elements it covers. Linear; its VJP spreads each cotangent evenly over those elements ({@link
 * AvgPool2dGrad}).
 */
public record AvgPool2d(Window2d window) implements org.gradc.compiler.ir.Op {
  public static final Primitive PRIMITIVE =
      new Def(
          "avg_pool2d",
          Pooling.parameters(),
          "the mean of each window of an NHWC image, per channel, padding excluded (stride defaults"
              + " to the window)",
          (e, a) -> e.avgPool2d(a.tensor("x"), Pooling.window("avg_pool2d", a)));

  @Override
  public String name() {
    return "avg_pool2d(" + window.describe() + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    return Pooling.infer("avg_pool2d", window, inputs);
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Node x = out.input(0);
    return List.of(Emit.at(b, out).avgPool2dGrad(g, window, x.shape().dim(1), x.shape().dim(2)));
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    int[] xd = out.input(0).shape().concrete(batch);
    double[] x = inputs.get(0);
    double[] y = new double[(int) out.shape().size(batch)];
    window.forEachWindow(
        xd[0],
        xd[1],
        xd[2],
        xd[3],
        (o, taps, n) -> {
          double s = 0;
          for (int t = 0; t < n; t++) {
            s += x[taps[t]];
          }
          y[o] = s / n;
        });
    return y;
  }
}
