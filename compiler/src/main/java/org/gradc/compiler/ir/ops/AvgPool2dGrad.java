package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * The gradient of {@link AvgPool2d}: each window's cotangent divided by the number of image
 * elements in the window and added to each of them, giving the image's {@code [n, height, width,
 * c]} (attributes, since several image sizes pool to one size when the stride exceeds 1). The
 * transpose of average pooling, so its own VJP is {@code avg_pool2d}.
 */
public record AvgPool2dGrad(Window2d window, int height, int width)
    implements org.gradc.compiler.ir.Op {

  @Override
  public String name() {
    return "avg_pool2d_grad(" + window.describe() + ", to " + height + "×" + width + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType g = inputs.get(0);
    Window2d.requireImage("avg_pool2d_grad", "a cotangent", g);
    TensorType x =
        new TensorType(g.dtype(), Shape.of(g.shape().dim(0), height, width, g.shape().dim(3)));
    TensorType pooled = Pooling.infer("avg_pool2d_grad", window, List.of(x));
    if (!pooled.equals(g)) {
      throw new ShapeError(
          "E0316", "avg_pool2d_grad: the cotangent " + g + " does not fit the pooled " + pooled);
    }
    return x;
  }

  @Override
  public List<Node> vjp(Node out, Node d, Graph.Builder b) throws ShapeError {
    return List.of(Emit.at(b, out).avgPool2d(d, window));
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    int[] xd = out.shape().concrete(batch);
    double[] g = inputs.get(0);
    double[] dx = new double[(int) out.shape().size(batch)];
    window.forEachWindow(
        xd[0],
        xd[1],
        xd[2],
        xd[3],
        (o, taps, n) -> {
          for (int t = 0; t < n; t++) {
            dx[taps[t]] += g[o] / n;
          }
        });
    return dx;
  }
}
