package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * NumPy broadcasting, and the type checks the ops share. Shapes are aligned from the right; each
 * pair of extents must be equal or one of them 1. The run-time {@code batch} extent is equal only
 * to itself (it broadcasts against 1, never against a constant), and must stay the leading axis.
 */
public final class Broadcasting {
  private Broadcasting() {}

  /** The broadcast shape of all {@code types}. */
  public static Shape shape(List<TensorType> types) throws ShapeError {
    int rank = 0;
    for (TensorType t : types) {
      rank = Math.max(rank, t.shape().rank());
    }
    int[] dims = new int[rank];
    for (int axis = 0; axis < rank; axis++) {
      int d = 1;
      for (TensorType t : types) {
        int k = axis - (rank - t.shape().rank());
        if (k < 0) {
          continue;
        }
        int e = t.shape().dim(k);
        if (e == 1 || e == d) {
          continue;
        }
        if (d != 1) {
          throw cannotBroadcast(types);
        }
        d = e;
      }
      dims[axis] = d;
    }
    for (int axis = 1; axis < rank; axis++) {
      if (dims[axis] == Shape.BATCH) {
        throw new ShapeError(
            "E0307",
            "cannot broadcast " + list(types) + ": the batch axis would not be the leading axis",
            "a batched operand must have the highest rank; reshape the others to fit");
      }
    }
    return Shape.of(dims);
  }

  private static ShapeError cannotBroadcast(List<TensorType> types) {
    return new ShapeError(
        "E0301",
        "cannot broadcast " + list(types),
        "shapes are aligned from the right; each pair of extents must be equal or one of them 1",
        "the batch extent only broadcasts against 1");
  }

  /** {@code float[batch, 256] with float[10]}. */
  static String list(List<TensorType> types) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < types.size(); i++) {
      if (i > 0) {
        s.append(i == types.size() - 1 ? " with " : ", ");
      }
      s.append(types.get(i));
    }
    return s.toString();
  }

  /** Checks that every type is the same float type, and returns it. */
  static DType sameFloat(String op, List<TensorType> types) throws ShapeError {
    DType d = types.get(0).dtype();
    for (TensorType t : types) {
      if (!t.dtype().isFloat()) {
        throw new ShapeError(
            "E0302",
            op + " expects float operands, got " + list(types),
            "labels and masks are not numbers here; use one_hot(...) or where(...)");
      }
      if (t.dtype() != d) {
        throw new ShapeError(
            "E0302", op + " expects operands of one float type, got " + list(types));
      }
    }
    return d;
  }

  static void requireDType(String op, String what, TensorType t, DType expected) throws ShapeError {
    if (t.dtype() != expected) {
      throw new ShapeError(
          "E0308", op + " expects " + what + " of type " + expected.displayName() + ", got " + t);
    }
  }

  /**
   * Strides of {@code in} laid over the axes of {@code out} (row-major, right-aligned), with 0
   * where {@code in} is broadcast.
   */
  static int[] strides(Shape in, Shape out, int batch) {
    int[] outDims = out.concrete(batch);
    int[] inDims = in.concrete(batch);
    int[] strides = new int[outDims.length];
    int stride = 1;
    for (int k = inDims.length - 1; k >= 0; k--) {
      int axis = k + outDims.length - inDims.length;
      strides[axis] = inDims[k] == 1 && outDims[axis] != 1 ? 0 : stride;
      stride *= inDims[k];
    }
    return strides;
  }

  /** Row-major strides of a shape. */
  static int[] strides(int[] dims) {
    int[] s = new int[dims.length];
    int stride = 1;
    for (int k = dims.length - 1; k >= 0; k--) {
      s[k] = stride;
      stride *= dims[k];
    }
    return s;
  }

  static int size(int[] dims) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  /** Advances a row-major multi-index by one; returns false after the last one. */
  static boolean next(int[] index, int[] dims) {
    for (int k = dims.length - 1; k >= 0; k--) {
      if (++index[k] < dims[k]) {
        return true;
      }
      index[k] = 0;
    }
    return false;
  }

  static int offset(int[] index, int[] strides) {
    int o = 0;
    for (int k = 0; k < index.length; k++) {
      o += index[k] * strides[k];
    }
    return o;
  }

  /** Normalizes a possibly negative axis against a rank. */
  static int axis(String op, int axis, TensorType t) throws ShapeError {
    int rank = t.shape().rank();
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new ShapeError(
          "E0305",
          op + ": axis " + axis + " is out of range for " + t,
          "axes count from 0; negative axes count from the end (-1 is the last)");
    }
    return a;
  }
}
