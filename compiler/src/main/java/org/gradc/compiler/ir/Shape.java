package org.gradc.compiler.ir;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A static shape. Every extent is a compile-time constant except, optionally, the leading one,
 * which may be the run-time {@code batch} extent ({@link #BATCH}). Immutable.
 */
public final class Shape {
  /** Marker for the run-time leading {@code batch} extent. Only allowed at axis 0. */
  public static final int BATCH = -1;

  public static final Shape SCALAR = new Shape(new int[0]);

  private final int[] dims;

  private Shape(int[] dims) {
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] == BATCH ? i != 0 : dims[i] < 0) {
        throw new IllegalArgumentException("bad extent " + dims[i] + " at axis " + i);
      }
    }
    this.dims = dims;
  }

  public static Shape of(int... dims) {
    return dims.length == 0 ? SCALAR : new Shape(dims.clone());
  }

  /** A shape whose leading extent is {@code batch}, followed by {@code rest}. */
  public static Shape batched(int... rest) {
    int[] dims = new int[rest.length + 1];
    dims[0] = BATCH;
    System.arraycopy(rest, 0, dims, 1, rest.length);
    return new Shape(dims);
  }

  public int rank() {
    return dims.length;
  }

  /** The extent of {@code axis}; {@link #BATCH} for a batched leading axis. */
  public int dim(int axis) {
    return dims[axis];
  }

  public int[] dims() {
    return dims.clone();
  }

  /** The extents for a given run-time batch size: {@link #BATCH} replaced by {@code batch}. */
  public int[] concrete(int batch) {
    int[] out = dims.clone();
    if (isBatched()) {
      out[0] = batch;
    }
    return out;
  }

  public boolean isScalar() {
    return dims.length == 0;
  }

  public boolean isBatched() {
    return dims.length > 0 && dims[0] == BATCH;
  }

  /** Number of elements for a given run-time batch size (ignored when not batched). */
  public long size(int batch) {
    long n = 1;
    for (int d : dims) {
      n *= d == BATCH ? batch : d;
    }
    return n;
  }

  /** Number of elements per batch row (all extents but a batched leading one). */
  public long rowSize() {
    long n = 1;
    for (int i = isBatched() ? 1 : 0; i < dims.length; i++) {
      n *= dims[i];
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** {@code [batch, 784]}; {@code []} for a scalar. */
  @Override
  public String toString() {
    return Arrays.stream(dims)
        .mapToObj(d -> d == BATCH ? "batch" : Integer.toString(d))
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
