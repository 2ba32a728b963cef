package org.gradc.compiler.ir.ops;

import java.util.List;
import java.util.function.DoubleBinaryOperator;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/** What sum, mean and amax share: the shape rule of a reduction and its evaluation. */
final class Reductions {
  private Reductions() {}

  static TensorType infer(String op, List<Integer> axes, boolean keepdims, TensorType x)
      throws ShapeError {
    Broadcasting.sameFloat(op, List.of(x));
    Shape s = x.shape();
    int prev = -1;
    for (int a : axes) {
      if (a <= prev || a >= s.rank()) {
        throw new ShapeError("E0305", op + ": axes " + axes + " do not fit " + x);
      }
      prev = a;
    }
    return new TensorType(x.dtype(), reduced(s, axes, keepdims));
  }

  static Shape reduced(Shape s, List<Integer> axes, boolean keepdims) {
    int[] dims = new int[keepdims ? s.rank() : s.rank() - axes.size()];
    int k = 0;
    for (int i = 0; i < s.rank(); i++) {
      if (!axes.contains(i)) {
        dims[k++] = s.dim(i);
      } else if (keepdims) {
        dims[k++] = 1;
      }
    }
    return Shape.of(dims);
  }

  /** The input's shape with reduced axes kept as 1: the shape a cotangent is reshaped to. */
  static Shape kept(Node x, List<Integer> axes) {
    return reduced(x.shape(), axes, true);
  }

  /** How many elements each output element combines (batch counted as {@code batch}). */
  static int count(Node x, List<Integer> axes, int batch) {
    int[] dims = x.shape().concrete(batch);
    int n = 1;
    for (int a : axes) {
      n *= dims[a];
    }
    return n;
  }

  /** The element count as a graph value: a constant, times the batch size if it is reduced. */
  static Node count(Emit e, Node x, List<Integer> axes) throws ShapeError {
    DType d = x.dtype();
    int n = 1;
    boolean overBatch = false;
    for (int a : axes) {
      if (x.shape().dim(a) == Shape.BATCH) {
        overBatch = true;
      } else {
        n *= x.shape().dim(a);
      }
    }
    Node c = e.scalar(n, d);
    return overBatch ? (n == 1 ? e.batchSize(d) : e.mul(e.batchSize(d), c)) : c;
  }

  static double[] evaluate(
      Node x, List<Integer> axes, double[] in, int batch, double init, DoubleBinaryOperator f) {
    int[] dims = x.shape().concrete(batch);
    int[] keptDims = dims.clone();
    for (int a : axes) {
      keptDims[a] = 1;
    }
    int[] outStrides = Broadcasting.strides(keptDims);
    for (int a : axes) {
      outStrides[a] = 0;
    }
    double[] out = new double[Broadcasting.size(keptDims)];
    java.util.Arrays.fill(out, init);
    if (in.length == 0) {
      return out;
    }
    int[] index = new int[dims.length];
    int flat = 0;
    do {
      int o = Broadcasting.offset(index, outStrides);
      out[o] = f.applyAsDouble(out[o], in[flat++]);
    } while (Broadcasting.next(index, dims));
    return out;
  }
}
