package org.gradc.compiler.codegen;

import org.gradc.compiler.ir.Scalar;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** {@link Lanes} for one lane: plain {@code float} or {@code double} bytecode. */
final class ScalarLanes implements Lanes {
  private final MethodVisitor mv;
  private final LoopEmitter le;
  private final Precision p;
  private final boolean fused;
  private final String d;
  private int temps;

  /**
   * @param le the emitter of the method, whose locals the temporaries join
   * @param fused whether {@link #fma} is one fused operation
   */
  ScalarLanes(MethodVisitor mv, LoopEmitter le, Precision p, boolean fused) {
    this.mv = mv;
    this.le = le;
    this.p = p;
    this.fused = fused;
    this.d = p.type.getDescriptor();
  }

  @Override
  public Precision precision() {
    return p;
  }

  @Override
  public void constant(double v) {
    le.fconst(v);
  }

  @Override
  public void load(F x) {
    mv.visitVarInsn(p.op(Opcodes.ILOAD), x.slot());
  }

  @Override
  public F store() {
    F x = new F(le.slot("$ms" + temps++, p.type.getSize()));
    mv.visitVarInsn(p.op(Opcodes.ISTORE), x.slot());
    return x;
  }

  @Override
  public void op(Op op) {
    switch (op) {
      case ADD -> mv.visitInsn(p.op(Opcodes.IADD));
      case SUB -> mv.visitInsn(p.op(Opcodes.ISUB));
      case MUL -> mv.visitInsn(p.op(Opcodes.IMUL));
      case DIV -> mv.visitInsn(p.op(Opcodes.IDIV));
      case NEG -> mv.visitInsn(p.op(Opcodes.INEG));
      case MIN, MAX -> math(op.name().toLowerCase(java.util.Locale.ROOT), 2);
      case ABS -> math("abs", 1);
      case SQRT -> {
        if (p == Precision.F32) {
          mv.visitInsn(Opcodes.F2D);
        }
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "sqrt", "(D)D", false);
        if (p == Precision.F32) {
          mv.visitInsn(Opcodes.D2F); // exact: a double square root of a float rounds once
        }
      }
    }
  }

  private void math(String name, int arity) {
    mv.visitMethodInsn(
        Opcodes.INVOKESTATIC, "java/lang/Math", name, "(" + d.repeat(arity) + ")" + d, false);
  }

  @Override
  public void fma() {
    if (fused) {
      math("fma", 3);
    } else {
      F c = store();
      mv.visitInsn(p.op(Opcodes.IMUL));
      load(c);
      mv.visitInsn(p.op(Opcodes.IADD));
    }
  }

  @Override
  public void compare(Scalar.BinaryFn cmp) {
    Label no = new Label();
    Label end = new Label();
    LoopEmitter.jumpUnless(mv, p, cmp, no);
    le.fconst(1);
    mv.visitJumpInsn(Opcodes.GOTO, end);
    mv.visitLabel(no);
    le.fconst(0);
    mv.visitLabel(end);
  }

  @Override
  public void select(Scalar.BinaryFn cmp, F a, F b, F ifTrue, F ifFalse) {
    Label no = new Label();
    Label end = new Label();
    load(a);
    load(b);
    LoopEmitter.jumpUnless(mv, p, cmp, no);
    load(ifTrue);
    mv.visitJumpInsn(Opcodes.GOTO, end);
    mv.visitLabel(no);
    load(ifFalse);
    mv.visitLabel(end);
  }

  @Override
  public void pow() {
    if (p == Precision.F32) {
      F b = store();
      mv.visitInsn(Opcodes.F2D);
      load(b);
      mv.visitInsn(Opcodes.F2D);
    }
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "pow", "(DD)D", false);
    if (p == Precision.F32) {
      mv.visitInsn(Opcodes.D2F);
    }
  }

  @Override
  public void toBits() {
    if (p == Precision.F32) {
      mv.visitMethodInsn(
          Opcodes.INVOKESTATIC, "java/lang/Float", "floatToRawIntBits", "(F)I", false);
    } else {
      mv.visitMethodInsn(
          Opcodes.INVOKESTATIC, "java/lang/Double", "doubleToRawLongBits", "(D)J", false);
    }
  }

  @Override
  public void fromBits() {
    if (p == Precision.F32) {
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Float", "intBitsToFloat", "(I)F", false);
    } else {
      mv.visitMethodInsn(
          Opcodes.INVOKESTATIC, "java/lang/Double", "longBitsToDouble", "(J)D", false);
    }
  }

  @Override
  public void bits(BitOp op, long c) {
    boolean f32 = p == Precision.F32;
    boolean shift = op == BitOp.SHL || op == BitOp.USHR;
    if (f32 || shift) {
      le.intConst((int) c);
    } else {
      mv.visitLdcInsn(c);
    }
    int insn =
        switch (op) {
          case ADD -> Opcodes.IADD;
          case AND -> Opcodes.IAND;
          case OR -> Opcodes.IOR;
          case SHL -> Opcodes.ISHL;
          case USHR -> Opcodes.IUSHR;
        };
    // the long form of each int opcode is the next one (IADD, LADD), as ASM's Type does it
    mv.visitInsn(f32 ? insn : org.objectweb.asm.Type.LONG_TYPE.getOpcode(insn));
  }

  @Override
  public void endFunction() {
    temps = 0;
  }
}
