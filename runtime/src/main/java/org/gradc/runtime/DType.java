package org.gradc.runtime;

/** Element type of a tensor buffer: {@code float[]}, {@code double[]} or {@code int[]}. */
public enum DType {
  F32,
  F64,
  I32
}
