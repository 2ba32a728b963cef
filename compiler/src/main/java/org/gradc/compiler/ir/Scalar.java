package org.gradc.compiler.ir;

/**
 * The per-element formula of an {@link Elementwise} op, as a tiny expression tree over the op's
 * (broadcast) inputs. The code generator fuses chains of elementwise ops by substituting one
 * formula into another and emits the result as one loop body; the evaluator can interpret it.
 */
public sealed interface Scalar {

  /** The value of input {@code index} at the current element. */
  record Arg(int index) implements Scalar {}

  record Const(double value) implements Scalar {}

  record Unary(UnaryFn fn, Scalar x) implements Scalar {}

  record Binary(BinaryFn fn, Scalar a, Scalar b) implements Scalar {}

  /** {@code cond != 0 ? ifTrue : ifFalse}. */
  record Select(Scalar cond, Scalar ifTrue, Scalar ifFalse) implements Scalar {}

  enum UnaryFn {
    NEG,
    EXP,
    LOG,
    SQRT,
    TANH,
    SIGMOID,
    ABS
  }

  /** Comparisons yield 1 or 0. */
  enum BinaryFn {
    ADD,
    SUB,
    MUL,
    DIV,
    MAX,
    MIN,
    POW,
    LT,
    LE,
    GT,
    GE,
    EQ,
    NE
  }

  /** Interprets the formula in f64, given the inputs' values at one element. */
  default double eval(double[] args) {
    if (this instanceof Arg a) {
      return args[a.index()];
    } else if (this instanceof Const c) {
      return c.value();
    } else if (this instanceof Unary u) {
      return apply(u.fn(), u.x().eval(args));
    } else if (this instanceof Binary b) {
      return apply(b.fn(), b.a().eval(args), b.b().eval(args));
    }
    Select s = (Select) this;
    return s.cond().eval(args) != 0 ? s.ifTrue().eval(args) : s.ifFalse().eval(args);
  }

  static double apply(UnaryFn fn, double x) {
    return switch (fn) {
      case NEG -> -x;
      case EXP -> Math.exp(x);
      case LOG -> Math.log(x);
      case SQRT -> Math.sqrt(x);
      case TANH -> Math.tanh(x);
      case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
      case ABS -> Math.abs(x);
    };
  }

  static double apply(BinaryFn fn, double a, double b) {
    return switch (fn) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> a / b;
      case MAX -> Math.max(a, b);
      case MIN -> Math.min(a, b);
      case POW -> Math.pow(a, b);
      case LT -> a < b ? 1 : 0;
      case LE -> a <= b ? 1 : 0;
      case GT -> a > b ? 1 : 0;
      case GE -> a >= b ? 1 : 0;
      case EQ -> a == b ? 1 : 0;
      case NE -> a != b ? 1 : 0;
    };
  }
}
