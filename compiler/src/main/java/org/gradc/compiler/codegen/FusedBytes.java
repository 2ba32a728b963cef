package org.gradc.compiler.codegen;

import java.util.List;
import org.gradc.compiler.ir.Scalar;

/**
 * Upper bounds of the bytecode an elementwise formula adds to a kernel method, in the largest code
 * any back end emits for it: the Vector API's (a vector body and its scalar tail), in f64, where
 * {@link LaneMath}'s polynomials have the most terms. The {@link FusionPlan} sums them to keep a
 * fused group, or a chain of formulas inlined into one reader, within the method budget whatever
 * the precision and vector width; a count of members cannot, as a {@code tanh} member costs forty
 * times a {@code mul}. Measured (bytes per member of a 48-member chain, vector f64 at 8 lanes and
 * f32 at 16): tanh 1,350, log 1,060, sigmoid 950, exp 800, abs 135, sqrt 80, mul 62; {@code
 * FusedBytesTest} checks every function against its bound.
 */
final class FusedBytes {
  /** A value read from a buffer or a local: index arithmetic and a load, in body and tail. */
  static final int READ = 40;

  /** A computed member's own cost besides its formula: its local's store (and buffer store). */
  static final int MEMBER = 60;

  private FusedBytes() {}

  /**
   * The bytes of {@code s} with argument {@code i} costing {@code args.get(i)} each time the
   * formula uses it (an inlined argument's code is repeated at every use).
   */
  static int of(Scalar s, List<Integer> args) {
    if (s instanceof Scalar.Arg a) {
      return args.get(a.index());
    } else if (s instanceof Scalar.Const) {
      return 20;
    } else if (s instanceof Scalar.Unary u) {
      return of(u.fn()) + of(u.x(), args);
    } else if (s instanceof Scalar.Binary b) {
      return of(b.fn()) + of(b.a(), args) + of(b.b(), args);
    } else if (s instanceof Scalar.Select sel) {
      return 100 + of(sel.cond(), args) + of(sel.ifTrue(), args) + of(sel.ifFalse(), args);
    }
    throw new IllegalArgumentException("no code for scalar formula " + s);
  }

  static int of(Scalar.UnaryFn fn) {
    return switch (fn) {
      case NEG -> 40;
      case ABS -> 150;
      case SQRT -> 90;
      case EXP -> 900;
      case LOG -> 1150;
      case TANH -> 1450;
      case SIGMOID -> 1050;
    };
  }

  static int of(Scalar.BinaryFn fn) {
    return switch (fn) {
      case ADD, SUB, MUL, DIV, MAX, MIN -> 30;
      // a call to Math.pow per lane
      case POW -> 700;
      case LT, LE, GT, GE, EQ, NE -> 150;
    };
  }
}
