package org.gradc.compiler.codegen;

import org.gradc.compiler.ir.Scalar;

/**
 * A floating-point expression of loop-level code, in the kernel's precision ({@code float} or
 * {@code double}). Comparisons yield 1 or 0, as in {@link Scalar}.
 */
sealed interface Fx {

  /** {@code array[index]} from a float buffer. */
  record Load(String array, Ix index) implements Fx {}

  record Const(double value) implements Fx {}

  /** A float local assigned by {@link LoopStmt.Let}. */
  record Local(String name) implements Fx {}

  record Unary(Scalar.UnaryFn fn, Fx x) implements Fx {}

  record Binary(Scalar.BinaryFn fn, Fx a, Fx b) implements Fx {}

  /** {@code cond != 0 ? a : b}. */
  record Select(Fx cond, Fx a, Fx b) implements Fx {}

  /** {@code a * b + c}, as {@code Math.fma} or as two operations depending on the options. */
  record Fma(Fx a, Fx b, Fx c) implements Fx {}

  /** An int converted exactly (labels are far below 2^24). */
  record OfInt(Ix value) implements Fx {}

  /** Optimizer hyper-parameter {@code index}, read from the model's {@code hyper} array. */
  record Hyper(int index) implements Fx {}

  /** The 1-based optimizer step, from the model's {@code step} field. */
  record Step() implements Fx {}

  /**
   * The dropout factor of element {@code index} of local row {@code row} (rows of {@code rowSize}
   * elements) for dropout call {@code key}: {@link org.gradc.runtime.DropoutMasks#scale} with the
   * model's {@code seed}, {@code step} and {@code rowOffset} (added to {@code row}). Scalar only.
   */
  record Dropout(int key, double rate, Ix row, int rowSize, Ix index) implements Fx {}

  static Fx c(double v) {
    return new Const(v);
  }

  static Fx local(String name) {
    return new Local(name);
  }

  static Fx bin(Scalar.BinaryFn fn, Fx a, Fx b) {
    return new Binary(fn, a, b);
  }

  static Fx add(Fx a, Fx b) {
    return new Binary(Scalar.BinaryFn.ADD, a, b);
  }

  static Fx sub(Fx a, Fx b) {
    return new Binary(Scalar.BinaryFn.SUB, a, b);
  }

  static Fx mul(Fx a, Fx b) {
    return new Binary(Scalar.BinaryFn.MUL, a, b);
  }

  static Fx div(Fx a, Fx b) {
    return new Binary(Scalar.BinaryFn.DIV, a, b);
  }
}
