package org.gradc.compiler.ir;

/** Element type and shape of a value: what shape inference computes for every node. */
public record TensorType(DType dtype, Shape shape) {
  @Override
  public String toString() {
    return dtype.displayName() + shape;
  }
}
