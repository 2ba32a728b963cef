package org.gradc.compiler.codegen;

import org.gradc.compiler.ir.Scalar;

/**
 * The instructions {@link LaneMath} writes element functions in, for one lane ({@link ScalarLanes}:
 * a {@code float} or {@code double} on the operand stack) or for a whole vector of lanes ({@link
 * VectorLanes}: a {@code FloatVector} or {@code DoubleVector}). Every operation here is exactly
 * rounded or exact (IEEE add, multiply, divide, square root, fused multiply-add, comparisons, bit
 * reinterpretation), so a function written in them computes the same bits per lane in both forms,
 * at any vector width, interpreted or compiled by any JIT tier. That is the point: {@code Math.exp}
 * and the Vector API's {@code EXP} are not exactly rounded, and C2 replaces the latter with a
 * math-library stub whose last bits differ from the interpreter's.
 *
 * <p>Methods document the operand stack ({@code … a, b → … r}); values that are used more than once
 * live in locals ({@link F}).
 */
interface Lanes {

  /** A local holding one value per lane. */
  record F(int slot) {}

  /** Exactly rounded operations on floating-point lanes. */
  enum Op {
    ADD,
    SUB,
    MUL,
    DIV,
    MIN,
    MAX,
    NEG,
    ABS,
    SQRT
  }

  /** Bit operations on the raw bits of lanes ({@code int} for f32, {@code long} for f64). */
  enum BitOp {
    ADD,
    AND,
    OR,
    SHL,
    USHR
  }

  Precision precision();

  /** {@code … → … v} (rounded to the precision). */
  void constant(double v);

  /** {@code … → … x}. */
  void load(F x);

  /** {@code … x → …}, into a new local. */
  F store();

  /** {@code … a, b → … a op b} ({@code … a → … op a} for NEG, ABS, SQRT). */
  void op(Op op);

  /**
   * {@code … a, b, c → … a * b + c}: one rounding when the options ask for fused multiply-adds,
   * else a multiply and an add (both deterministic; the choice is the options').
   */
  void fma();

  /** {@code … a, b → … (a cmp b) ? 1 : 0} for a comparison; NaN compares false except for NE. */
  void compare(Scalar.BinaryFn cmp);

  /** {@code … → … (a cmp b) ? ifTrue : ifFalse}, per lane. */
  void select(Scalar.BinaryFn cmp, F a, F b, F ifTrue, F ifFalse);

  /**
   * {@code … a, b → … Math.pow(a, b)} per lane, computed in double. {@code Math.pow} is not exactly
   * rounded, but HotSpot computes it with one routine in the interpreter and in both compilers.
   */
  void pow();

  /** {@code … x → … raw bits of x}. */
  void toBits();

  /** {@code … bits → … the float (double) with these bits}. */
  void fromBits();

  /** {@code … bits → … bits op c}, on {@code int} lanes in f32 and {@code long} lanes in f64. */
  void bits(BitOp op, long c);

  /**
   * Ends a function: its result is on the stack, so the locals of its temporaries are dead and the
   * next function reuses them (fewer locals, and short load and store instructions).
   */
  void endFunction();
}
