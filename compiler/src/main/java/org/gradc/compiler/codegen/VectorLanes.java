package org.gradc.compiler.codegen;

import org.gradc.compiler.codegen.vector.VectorCalls;
import org.gradc.compiler.ir.Scalar;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * {@link Lanes} for a whole vector: Vector API calls. Only lanewise operations C2 compiles to
 * exactly rounded instructions are used; never the {@code EXP}/{@code LOG}/{@code TANH}/{@code POW}
 * operators, whose compiled form (a math-library stub) and interpreted form (a loop over {@code
 * Math}) differ in the last bits.
 */
final class VectorLanes implements Lanes {
  private final MethodVisitor mv;
  private final LoopEmitter le;
  private final VectorCalls v;
  private final Precision p;
  private final boolean fused;
  private int temps;

  /**
   * @param le the emitter of the method, whose locals the temporaries join
   * @param fused whether {@link #fma} is one fused operation
   */
  VectorLanes(MethodVisitor mv, LoopEmitter le, VectorCalls v, Precision p, boolean fused) {
    this.mv = mv;
    this.le = le;
    this.v = v;
    this.p = p;
    this.fused = fused;
  }

  @Override
  public Precision precision() {
    return p;
  }

  @Override
  public void constant(double c) {
    v.species(mv);
    le.fconst(c);
    v.broadcast(mv);
  }

  @Override
  public void load(F x) {
    mv.visitVarInsn(Opcodes.ALOAD, x.slot());
  }

  @Override
  public F store() {
    F x = new F(le.slot("$mv" + temps++, 1));
    mv.visitVarInsn(Opcodes.ASTORE, x.slot());
    return x;
  }

  @Override
  public void op(Op op) {
    op(v, mv, op);
  }

  /** The operands {@code op} takes. */
  static int arity(Op op) {
    return switch (op) {
      case ADD, SUB, MUL, DIV, MIN, MAX -> 2;
      case NEG, ABS, SQRT -> 1;
    };
  }

  /** {@code … a[, b] → … op(a[, b])}, {@link #arity} operands, as one call of {@code v}. */
  static void op(VectorCalls v, MethodVisitor mv, Op op) {
    if (arity(op) == 2) {
      v.binary(mv, name(op));
    } else {
      v.unary(mv, name(op));
    }
  }

  private static String name(Op op) {
    return op.name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public void fma() {
    if (fused) {
      v.fma(mv);
    } else {
      F c = store();
      v.binary(mv, "mul");
      load(c);
      v.binary(mv, "add");
    }
  }

  @Override
  public void compare(Scalar.BinaryFn cmp) {
    F b = store();
    F a = store();
    F one = constantLocal(1);
    F zero = constantLocal(0);
    select(cmp, a, b, one, zero);
  }

  private F constantLocal(double c) {
    constant(c);
    return store();
  }

  @Override
  public void select(Scalar.BinaryFn cmp, F a, F b, F ifTrue, F ifFalse) {
    load(ifFalse);
    load(ifTrue);
    load(a);
    v.operator(mv, cmp.name(), "Comparison");
    load(b);
    v.compare(mv);
    v.blend(mv);
  }

  /** Lane by lane through {@code Math.pow}: the only function here without an exact vector form. */
  @Override
  public void pow() {
    F b = store();
    F a = store();
    v.zero(mv);
    for (int i = 0; i < v.lanes(); i++) {
      le.intConst(i);
      lane(a, i);
      lane(b, i);
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "pow", "(DD)D", false);
      if (p == Precision.F32) {
        mv.visitInsn(Opcodes.D2F);
      }
      v.withLane(mv);
    }
  }

  /** {@code … → … (double) x[i]}. */
  private void lane(F x, int i) {
    load(x);
    le.intConst(i);
    v.lane(mv);
    if (p == Precision.F32) {
      mv.visitInsn(Opcodes.F2D);
    }
  }

  @Override
  public void toBits() {
    v.toBits(mv);
  }

  @Override
  public void fromBits() {
    v.fromBits(mv);
  }

  @Override
  public void bits(BitOp op, long c) {
    bits(v, mv, op, c);
  }

  /** {@code … bits → … bits op c} on the raw bits vector, as one call of {@code v}. */
  static void bits(VectorCalls v, MethodVisitor mv, BitOp op, long c) {
    switch (op) {
      case ADD, AND, OR -> v.bitsOp(mv, op.name(), "Associative", c);
      case SHL -> v.bitsOp(mv, "LSHL", "Binary", c);
      case USHR -> v.bitsOp(mv, "LSHR", "Binary", c);
    }
  }

  @Override
  public void endFunction() {
    temps = 0;
  }
}
