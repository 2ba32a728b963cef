package org.gradc.compiler.syntax;

/** Numbers as a person writes them: {@code 0.001}, {@code 1e-08}, {@code 10}. */
final class Numbers {
  private Numbers() {}

  static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
