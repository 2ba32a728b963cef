package org.gradc.compiler.syntax;

/**
 * Arithmetic on values known at compile time, so {@code const H = 2 * N} and {@code float[N + 1]}
 * are plain numbers. Integers stay integers under {@code + - * ^} (falling back to floats only on
 * overflow or a negative exponent); {@code /} always gives a float, as in Python.
 */
final class StaticArithmetic {
  private StaticArithmetic() {}

  /** The folded result, or null when either side is not a static number (then it is an op). */
  static Value fold(String op, Value l, Value r) {
    if (l instanceof Value.Int a && r instanceof Value.Int b) {
      return ints(op, a.value(), b.value());
    }
    if (isNumber(l) && isNumber(r)) {
      return reals(op, number(l), number(r));
    }
    return null;
  }

  private static boolean isNumber(Value v) {
    return v instanceof Value.Int || v instanceof Value.Real;
  }

  private static double number(Value v) {
    return v instanceof Value.Int i ? i.value() : ((Value.Real) v).value();
  }

  private static Value ints(String op, int a, int b) {
    long r;
    switch (op) {
      case "+":
        r = (long) a + b;
        break;
      case "-":
        r = (long) a - b;
        break;
      case "*":
        r = (long) a * b;
        break;
      case "^":
        if (b < 0) {
          return reals(op, a, b);
        }
        double p = Math.pow(a, b);
        if (Math.abs(p) > Integer.MAX_VALUE) {
          return new Value.Real(p);
        }
        return new Value.Int((int) p);
      default:
        return reals(op, a, b);
    }
    return r == (int) r ? new Value.Int((int) r) : new Value.Real(r);
  }

  private static Value reals(String op, double a, double b) {
    return switch (op) {
      case "+" -> new Value.Real(a + b);
      case "-" -> new Value.Real(a - b);
      case "*" -> new Value.Real(a * b);
      case "/" -> new Value.Real(a / b);
      case "^" -> new Value.Real(Math.pow(a, b));
      case "<" -> new Value.Bool(a < b);
      case "<=" -> new Value.Bool(a <= b);
      case ">" -> new Value.Bool(a > b);
      case ">=" -> new Value.Bool(a >= b);
      case "==" -> new Value.Bool(a == b);
      case "!=" -> new Value.Bool(a != b);
      default -> null; // `@` of two numbers: let matmul's shape rule say why not
    };
  }
}
