package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * The matrix product {@code op(a) @ op(b)} of two 2-D tensors, where {@code op} transposes when its
 * flag is set. The language's {@code a @ b} has no flags; the flags exist for the backward pass,
 * whose products contract over the batch axis ({@code ∂L/∂W = aᵀ·δz} with {@code a} of shape {@code
 * [batch, k]}), which no transposed tensor could express since the batch axis must stay leading.
 * The contracted axis may be {@code batch}; the rows of the result may be too.
 */
public record MatMul(boolean transposeA, boolean transposeB) implements org.gradc.compiler.ir.Op {
  public static final Primitive PRIMITIVE =
      Def.binary(
          "matmul",
          "the matrix product of a [m, k] and b [k, n] (the operator @); m may be batch",
          Emit::matmul);

  @Override
  public String name() {
    if (!transposeA && !transposeB) {
      return "matmul";
    }
    return "matmul(" + (transposeA ? "aT" : "a") + ", " + (transposeB ? "bT" : "b") + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType a = inputs.get(0);
    TensorType b = inputs.get(1);
    DType d = Broadcasting.sameFloat("@", inputs);
    if (a.shape().rank() != 2 || b.shape().rank() != 2) {
      throw new ShapeError(
          "E0304",
          "@ multiplies 2-D tensors, got " + a + " @ " + b,
          "reshape a vector v of n elements to [1, n] or [n, 1] first");
    }
    int m = a.shape().dim(transposeA ? 1 : 0);
    int ka = a.shape().dim(transposeA ? 0 : 1);
    int kb = b.shape().dim(transposeB ? 1 : 0);
    int n = b.shape().dim(transposeB ? 0 : 1);
    if (ka != kb) {
      throw new ShapeError(
          "E0303",
          "cannot multiply "
              + operand(a, transposeA)
              + " @ "
              + operand(b, transposeB)
              + ": the inner extents differ",
          "the columns of the left operand must equal the rows of the right one");
    }
    if (n == Shape.BATCH) {
      throw new ShapeError(
          "E0307", "the product " + a + " @ " + b + " would put the batch axis last");
    }
    return new TensorType(d, Shape.of(m, n));
  }

  private static String operand(TensorType t, boolean transposed) {
    return transposed ? "transpose(" + t + ")" : t.toString();
  }

  /**
   * With C = op(A)·op(B): d op(A) = G·op(B)ᵀ and d op(B) = op(A)ᵀ·G, each written as one product
   * with flags so no transpose is materialized.
   */
  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node a = out.input(0);
    Node c = out.input(1);
    Node da =
        transposeA
            ? e.matmul(c, g, transposeB, true) // dA = op(B)·Gᵀ
            : e.matmul(g, c, false, !transposeB); // dA = G·op(B)ᵀ
    Node dc =
        transposeB
            ? e.matmul(g, a, true, transposeA) // dB = Gᵀ·op(A)
            : e.matmul(a, g, !transposeA, false); // dB = op(A)ᵀ·G
    return List.of(da, dc);
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    int[] ad = out.input(0).shape().concrete(batch);
    int[] bd = out.input(1).shape().concrete(batch);
    int m = transposeA ? ad[1] : ad[0];
    int k = transposeA ? ad[0] : ad[1];
    int n = transposeB ? bd[0] : bd[1];
    double[] x = inputs.get(0);
    double[] y = inputs.get(1);
    double[] r = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double av = transposeA ? x[p * ad[1] + i] : x[i * ad[1] + p];
          double bv = transposeB ? y[j * bd[1] + p] : y[p * bd[1] + j];
          s += av * bv;
        }
        r[i * n + j] = s;
      }
    }
    return r;
  }
}
