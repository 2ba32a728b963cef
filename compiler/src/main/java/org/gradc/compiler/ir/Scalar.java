package org.gradc.compiler.ir;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

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

  /**
   * A function of one element. Each constant carries its reference evaluation in f64 (what the
   * evaluator computes and generated code is checked against); the code generator's definition of
   * the same function, for scalar and vector bytecode alike, is {@code codegen.LaneMath}.
   */
  enum UnaryFn {
    NEG(x -> -x),
    EXP(Math::exp),
    LOG(Math::log),
    SQRT(Math::sqrt),
    TANH(Math::tanh),
    // exp(x) / (1 + exp(x)) below 0: never overflows, so tiny results keep their precision
    SIGMOID(x -> x < 0 ? Math.exp(x) / (1.0 + Math.exp(x)) : 1.0 / (1.0 + Math.exp(-x))),
    ABS(Math::abs);

    private final DoubleUnaryOperator f64;

    UnaryFn(DoubleUnaryOperator f64) {
      this.f64 = f64;
    }

    /** The reference value in f64. */
    public double apply(double x) {
      return f64.applyAsDouble(x);
    }
  }

  /** A function of two elements; comparisons yield 1 or 0. See {@link UnaryFn} for the roles. */
  enum BinaryFn {
    ADD((a, b) -> a + b),
    SUB((a, b) -> a - b),
    MUL((a, b) -> a * b),
    DIV((a, b) -> a / b),
    MAX(Math::max),
    MIN(Math::min),
    POW(Math::pow),
    LT((a, b) -> a < b ? 1 : 0),
    LE((a, b) -> a <= b ? 1 : 0),
    GT((a, b) -> a > b ? 1 : 0),
    GE((a, b) -> a >= b ? 1 : 0),
    EQ((a, b) -> a == b ? 1 : 0),
    NE((a, b) -> a != b ? 1 : 0);

    private final DoubleBinaryOperator f64;

    BinaryFn(DoubleBinaryOperator f64) {
      this.f64 = f64;
    }

    /** The reference value in f64. */
    public double apply(double a, double b) {
      return f64.applyAsDouble(a, b);
    }

    /** True for the comparisons ({@code LT … NE}). */
    public boolean comparison() {
      return switch (this) {
        case ADD, SUB, MUL, DIV, MAX, MIN, POW -> false;
        case LT, LE, GT, GE, EQ, NE -> true;
      };
    }
  }

  /** Interprets the formula in f64, given the inputs' values at one element. */
  default double eval(double[] args) {
    if (this instanceof Arg a) {
      return args[a.index()];
    } else if (this instanceof Const c) {
      return c.value();
    } else if (this instanceof Unary u) {
      return u.fn().apply(u.x().eval(args));
    } else if (this instanceof Binary b) {
      return b.fn().apply(b.a().eval(args), b.b().eval(args));
    }
    Select s = (Select) this;
    return s.cond().eval(args) != 0 ? s.ifTrue().eval(args) : s.ifFalse().eval(args);
  }
}
