package org.gradc.compiler.syntax;

/** Numbers as a person writes them: {@code 0.001}, {@code 1e-8}, {@code 10}. */
public final class Numbers {
  private Numbers() {}

  public static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toString().toLowerCase();
  }
}
