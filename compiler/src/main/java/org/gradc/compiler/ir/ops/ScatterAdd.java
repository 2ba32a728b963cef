package org.gradc.compiler.ir.ops;

import java.util.Arrays;
import java.util.List;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.IndexingOp;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * The transpose of {@link Embedding}: {@code ids int[...]} and {@code values float[..., D]} give
 * {@code float[rows, D]} with {@code r[k, :] = Σ_{i : ids[i] = k} values[i, :]}. It is the
 * embedding's gradient with respect to its table; its own VJP (for second derivatives) picks the
 * cotangent's rows back: {@code embedding(g, ids)}. Not callable from the language.
 */
public record ScatterAdd(int rows) implements IndexingOp {

  @Override
  public String name() {
    return "scatter_add(rows=" + rows + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType ids = inputs.get(0);
    TensorType values = inputs.get(1);
    Broadcasting.requireDType("scatter_add", "int ids", ids, DType.I32);
    Broadcasting.sameFloat("scatter_add", List.of(values));
    Shape v = values.shape();
    if (rows < 1
        || v.rank() != ids.shape().rank() + 1
        || !Embedding.rowsOf(ids.shape(), v.dim(v.rank() - 1)).equals(v)) {
      throw new ShapeError(
          "E0320",
          "scatter_add: values " + values + " do not fit ids " + ids + " and " + rows + " rows",
          "values need the shape of ids followed by the row width");
    }
    return new TensorType(values.dtype(), Shape.of(rows, v.dim(v.rank() - 1)));
  }

  @Override
  public int idBound(Node node, int input) {
    return input == 0 ? rows : 0;
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    return Arrays.asList(null, Emit.at(b, out).embedding(g, out.input(0)));
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    double[] ids = inputs.get(0);
    double[] values = inputs.get(1);
    int width = out.shape().dim(1);
    double[] r = new double[rows * width];
    for (int i = 0; i < ids.length; i++) {
      int k = Embedding.id(ids[i], rows);
      for (int j = 0; j < width; j++) {
        r[k * width + j] += values[i * width + j];
      }
    }
    return r;
  }
}
