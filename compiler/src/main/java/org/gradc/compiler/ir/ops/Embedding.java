package org.gradc.compiler.ir.ops;

import java.util.Arrays;
import java.util.List;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.IndexingOp;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * Rows of a table picked by int ids: {@code table float[V, D]} and {@code ids int[...]} give {@code
 * float[..., D]} with {@code r[i, :] = table[ids[i], :]}. The VJP adds each row of the cotangent
 * into the table row its id picked ({@link ScatterAdd}); a one-hot matrix product would cost {@code
 * V} times more.
 */
public record Embedding() implements IndexingOp {
  public static final Primitive PRIMITIVE =
      new Def(
          "embedding",
          List.of(Parameter.tensor("table"), Parameter.tensor("ids")),
          "the rows of a float[V, D] table picked by int ids in [0, V): float[..., D]",
          (e, a) -> e.embedding(a.tensor("table"), a.tensor("ids")));

  @Override
  public String name() {
    return "embedding";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType table = inputs.get(0);
    TensorType ids = inputs.get(1);
    Broadcasting.sameFloat("embedding", List.of(table));
    Broadcasting.requireDType("embedding", "int ids", ids, DType.I32);
    Shape t = table.shape();
    if (t.rank() != 2 || t.isBatched()) {
      throw new ShapeError(
          "E0320",
          "embedding: the table must be a matrix float[V, D], got " + table,
          "one row of D numbers per id: `param E: float[256, 64] = normal(0, 0.1)`");
    }
    return new TensorType(table.dtype(), rowsOf(ids.shape(), t.dim(1)));
  }

  /** {@code ids}' shape followed by {@code width}. */
  static Shape rowsOf(Shape ids, int width) {
    int[] in = ids.dims();
    int[] dims = Arrays.copyOf(in, in.length + 1);
    dims[in.length] = width;
    return Shape.of(dims);
  }

  @Override
  public int idBound(Node node, int input) {
    return input == 1 ? node.input(0).shape().dim(0) : 0;
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Node table = out.input(0);
    Node ids = out.input(1);
    return Arrays.asList(Emit.at(b, out).scatterAdd(ids, g, table.shape().dim(0)), null);
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    double[] table = inputs.get(0);
    double[] ids = inputs.get(1);
    int rows = out.input(0).shape().dim(0);
    int width = out.input(0).shape().dim(1);
    double[] r = new double[ids.length * width];
    for (int i = 0; i < ids.length; i++) {
      System.arraycopy(table, id(ids[i], rows) * width, r, i * width, width);
    }
    return r;
  }

  /** An id checked against the number of rows. */
  static int id(double value, int rows) {
    int id = (int) value;
    if (id != value || id < 0 || id >= rows) {
      throw new IllegalArgumentException("id " + value + " is out of range [0, " + rows + ")");
    }
    return id;
  }
}
