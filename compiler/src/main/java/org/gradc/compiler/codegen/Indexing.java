package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.ir.Shape;

/**
 * Index expressions over a row-major tensor: the axis variables {@code a0, a1, …} element bodies
 * are written in, extents, flat offsets and NumPy broadcasting. Shared by the scheduler and every
 * {@link OpLowering}.
 */
final class Indexing {
  private Indexing() {}

  /** {@code a0 … a(rank-1)}: one variable per axis, as {@link Kernel} bodies name them. */
  static List<Ix> axisVars(int rank) {
    List<Ix> v = new ArrayList<>(rank);
    for (int i = 0; i < rank; i++) {
      v.add(Ix.var("a" + i));
    }
    return v;
  }

  /** The extents of {@code s}: constants, and {@code n} for the batch axis. */
  static List<Ix> dims(Shape s) {
    List<Ix> d = new ArrayList<>();
    for (int i = 0; i < s.rank(); i++) {
      d.add(extent(s.dim(i)));
    }
    return d;
  }

  /** One extent: {@code n} for {@link Shape#BATCH}, else the constant. */
  static Ix extent(int dim) {
    return dim == Shape.BATCH ? Ix.N : Ix.lit(dim);
  }

  /** Row-major flat index of {@code idx} in {@code shape}. */
  static Ix linear(List<Ix> idx, Shape shape) {
    Ix flat = Ix.ZERO;
    int stride = 1;
    for (int i = shape.rank() - 1; i >= 0; i--) {
      flat = Ix.add(Ix.mul(idx.get(i), stride), flat);
      if (i > 0) {
        stride *= shape.dim(i);
      }
    }
    return flat;
  }

  /** The index into {@code in} that broadcasting maps {@code idx} of {@code out} to. */
  static List<Ix> broadcast(List<Ix> idx, Shape out, Shape in) {
    List<Ix> r = new ArrayList<>();
    int offset = out.rank() - in.rank();
    for (int k = 0; k < in.rank(); k++) {
      int axis = k + offset;
      r.add(in.dim(k) == 1 && out.dim(axis) != 1 ? Ix.ZERO : idx.get(axis));
    }
    return r;
  }

  /** The all-zero index of a tensor of rank {@code rank}. */
  static List<Ix> zeros(int rank) {
    List<Ix> zero = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      zero.add(Ix.ZERO);
    }
    return zero;
  }
}
