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
 *
 * <p><b>Stacked rows</b> (created only by {@code opt.DotMerger}; the language's {@code @} takes 2-D
 * operands): an operand of rank above 2 is a matrix whose rows are its leading axes flattened in
 * row-major order, which is its layout in memory. Without {@code transposeA}, {@code a = [r…, k]}
 * and a 2-D {@code op(b)} give {@code [r…, n]} (NumPy's {@code matmul} of a stack); with {@code
 * transposeA}, {@code a = [c…, m]} and {@code b = [c…, n]} (same leading extents, no {@code
 * transposeB}) contract over all of {@code c…} and give {@code [m, n]}. The batch axis may lead
 * {@code r…} or {@code c…}, as {@code [batch, T, k]} rows stand for {@code batch·T} rows. The VJP
 * below builds only products of these forms.
 */
public record MatMul(boolean transposeA, boolean transposeB) implements org.gradc.compiler.ir.Op {
  public static final Primitive PRIMITIVE =
      Def.binary(
          "matmul",
          "the matrix product of a [m, k] and b [k, n] (the operator @); m may be batch",
          MatMul::language);

  /** The language's {@code a @ b}: two 2-D operands (stacked rows are the optimizer's). */
  private static Node language(Emit e, Node a, Node b) throws ShapeError {
    if (a.shape().rank() != 2 || b.shape().rank() != 2) {
      throw rankError(a.type(), b.type());
    }
    return e.matmul(a, b);
  }

  private static ShapeError rankError(TensorType a, TensorType b) {
    return new ShapeError(
        "E0304",
        "@ multiplies 2-D tensors, got " + a + " @ " + b,
        "reshape a vector v of n elements to [1, n] or [n, 1] first");
  }

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
    int ra = a.shape().rank();
    int rb = b.shape().rank();
    boolean stacked = ra > 2 || rb > 2;
    if (ra < 2
        || rb < 2
        || (stacked && transposeA && (ra != rb || transposeB || !leadingEqual(a, b)))
        || (stacked && !transposeA && rb != 2)) {
      throw rankError(a, b);
    }
    if (stacked && !transposeA) {
      // rows [r…, k] @ op(b) [k, n] -> [r…, n]
      int k = a.shape().dim(ra - 1);
      int kb = b.shape().dim(transposeB ? 1 : 0);
      int n = b.shape().dim(transposeB ? 0 : 1);
      if (k != kb) {
        throw innerError(a, b);
      }
      if (n == Shape.BATCH) {
        throw new ShapeError(
            "E0307", "the product " + a + " @ " + b + " would put the batch axis last");
      }
      int[] dims = a.shape().dims();
      dims[ra - 1] = n;
      return new TensorType(d, Shape.of(dims));
    }
    if (stacked) {
      // [c…, m]ᵀ @ [c…, n] -> [m, n]
      return new TensorType(d, Shape.of(a.shape().dim(ra - 1), b.shape().dim(rb - 1)));
    }
    int m = a.shape().dim(transposeA ? 1 : 0);
    int ka = a.shape().dim(transposeA ? 0 : 1);
    int kb = b.shape().dim(transposeB ? 1 : 0);
    int n = b.shape().dim(transposeB ? 0 : 1);
    if (ka != kb) {
      throw innerError(a, b);
    }
    if (n == Shape.BATCH) {
      throw new ShapeError(
          "E0307", "the product " + a + " @ " + b + " would put the batch axis last");
    }
    return new TensorType(d, Shape.of(m, n));
  }

  private static boolean leadingEqual(TensorType a, TensorType b) {
    for (int i = 0; i < a.shape().rank() - 1; i++) {
      if (a.shape().dim(i) != b.shape().dim(i)) {
        return false;
      }
    }
    return true;
  }

  private ShapeError innerError(TensorType a, TensorType b) {
    return new ShapeError(
        "E0303",
        "cannot multiply "
            + operand(a, transposeA)
            + " @ "
            + operand(b, transposeB)
            + ": the inner extents differ",
        "the columns of the left operand must equal the rows of the right one");
  }

  /**
   * {@code x}'s extents as a matrix: its leading axes flattened into rows, its last axis the
   * columns.
   */
  private static int[] matrix(Shape s, int batch) {
    int[] d = s.concrete(batch);
    int rows = 1;
    for (int i = 0; i < d.length - 1; i++) {
      rows *= d[i];
    }
    return new int[] {rows, d[d.length - 1]};
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
    // stacked rows are the row-major layout of the flattened matrix
    int[] ad = matrix(out.input(0).shape(), batch);
    int[] bd = matrix(out.input(1).shape(), batch);
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
