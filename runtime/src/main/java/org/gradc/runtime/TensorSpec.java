package org.gradc.runtime;

import java.util.Arrays;

/**
 * One named tensor of a model: its role, element type and shape. A leading extent of {@code -1}
 * ({@link #BATCH}) is the run-time batch size.
 *
 * @param name unique within the model; gradients and optimizer state are named after their
 *     parameter ({@code W1}, {@code W1.m})
 * @param of for {@link TensorKind#GRADIENT} and {@link TensorKind#STATE}: the parameter's name;
 *     otherwise equal to {@code name}
 * @param init for parameters: how {@link Model#initialize(long)} fills it; otherwise {@code null}
 * @param classes for integer inputs used as class labels: labels must lie in {@code [0, classes)};
 *     0 when unbounded
 */
public record TensorSpec(
    String name, TensorKind kind, DType dtype, int[] shape, String of, Init init, int classes) {
  public static final int BATCH = -1;

  public TensorSpec {
    shape = shape.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  public boolean batched() {
    return shape.length > 0 && shape[0] == BATCH;
  }

  /** Elements per batch row: the product of all extents but a batched leading one. */
  public int rowSize() {
    int n = 1;
    for (int i = batched() ? 1 : 0; i < shape.length; i++) {
      n *= shape[i];
    }
    return n;
  }

  /** Elements for a batch of {@code n} rows. */
  public int size(int n) {
    return batched() ? n * rowSize() : rowSize();
  }

  /** {@code [batch, 784]}. */
  public String shapeString() {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        s.append(", ");
      }
      s.append(shape[i] == BATCH ? "batch" : Integer.toString(shape[i]));
    }
    return s.append(']').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t
        && name.equals(t.name)
        && kind == t.kind
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && of.equals(t.of)
        && java.util.Objects.equals(init, t.init)
        && classes == t.classes;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(name, kind, dtype, Arrays.hashCode(shape), of, init, classes);
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase() + " " + name + ": " + dtype + shapeString();
  }
}
