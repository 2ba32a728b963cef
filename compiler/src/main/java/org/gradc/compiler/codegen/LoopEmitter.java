package org.gradc.compiler.codegen;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.gradc.compiler.ir.Scalar;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Turns loop-level code into the body of a kernel method {@code void k(int n)}. Every buffer the
 * body names is read from its field into a local once, at the top (so C2 sees a loop-invariant
 * array and can drop range checks); loop bounds that are not constants are computed once before the
 * loop. Loops take the shape javac gives a counted {@code for}.
 */
final class LoopEmitter {
  private final MethodVisitor mv;
  private final String owner;
  private final Precision p;
  private final boolean fma;
  private final Function<String, String> arrayDescriptor;
  private final boolean nested;
  private final Map<String, Integer> slots = new LinkedHashMap<>();
  private int nextSlot = 2; // 0 = this, 1 = n
  private int temps;
  private final ScalarLanes lanes;

  /**
   * @param arrayDescriptor the field descriptor ({@code [F}, {@code [D}, {@code [I}) of each buffer
   *     field the code names
   */
  LoopEmitter(
      MethodVisitor mv,
      String owner,
      Precision p,
      boolean fma,
      Function<String, String> arrayDescriptor) {
    this(mv, owner, p, fma, arrayDescriptor, false);
  }

  /**
   * @param nested the method is a static method of a nestmate of {@code owner} (see {@link
   *     KernelCode.EmitContext#nested()})
   */
  LoopEmitter(
      MethodVisitor mv,
      String owner,
      Precision p,
      boolean fma,
      Function<String, String> arrayDescriptor,
      boolean nested) {
    this.nested = nested;
    this.mv = mv;
    this.owner = owner;
    this.p = p;
    this.fma = fma;
    this.arrayDescriptor = arrayDescriptor;
    this.lanes = new ScalarLanes(mv, this, p, fma);
  }

  /** Emits the prologue (hoisted arrays) and {@code body}, then {@code return}. */
  void emitMethod(List<LoopStmt> body) {
    hoist(LoopStmts.arrays(body));
    for (LoopStmt s : body) {
      stmt(s);
    }
    mv.visitInsn(Opcodes.RETURN);
  }

  /**
   * Reads each buffer field into its local. The members below are package-private for the vector
   * back end, which writes one method with this emitter and its own vector instructions.
   */
  void hoist(Iterable<String> arrays) {
    for (String array : arrays) {
      mv.visitVarInsn(Opcodes.ALOAD, 0);
      mv.visitFieldInsn(Opcodes.GETFIELD, owner, array, arrayDescriptor.apply(array));
      mv.visitVarInsn(Opcodes.ASTORE, slot(array, 1));
    }
  }

  int slot(String name, int size) {
    Integer s = slots.get(name);
    if (s == null) {
      s = nextSlot;
      slots.put(name, s);
      nextSlot += size;
    }
    return s;
  }

  void stmt(LoopStmt s) {
    if (s instanceof LoopStmt.For f) {
      loop(f);
    } else if (s instanceof LoopStmt.Store st) {
      mv.visitVarInsn(Opcodes.ALOAD, slot(st.array(), 1));
      ix(st.index());
      fx(st.value());
      mv.visitInsn(p.op(Opcodes.IASTORE));
    } else if (s instanceof LoopStmt.Let let) {
      fx(let.value());
      mv.visitVarInsn(p.op(Opcodes.ISTORE), slot(let.name(), p.type.getSize()));
    } else if (s instanceof LoopStmt.LetInt let) {
      ix(let.value());
      mv.visitVarInsn(Opcodes.ISTORE, slot(let.name(), 1));
    }
    // comments emit nothing
  }

  private void loop(LoopStmt.For f) {
    Ix hi = f.hi();
    if (!(hi instanceof Ix.Lit || hi instanceof Ix.Var || hi instanceof Ix.N)) {
      String bound = "$hi" + temps++;
      ix(hi);
      mv.visitVarInsn(Opcodes.ISTORE, slot(bound, 1));
      hi = Ix.var(bound);
    }
    int v = slot(f.var(), 1);
    ix(f.lo());
    mv.visitVarInsn(Opcodes.ISTORE, v);
    Label test = new Label();
    Label end = new Label();
    mv.visitLabel(test);
    mv.visitVarInsn(Opcodes.ILOAD, v);
    ix(hi);
    mv.visitJumpInsn(Opcodes.IF_ICMPGE, end);
    for (LoopStmt s : f.body()) {
      stmt(s);
    }
    if (f.step() <= Short.MAX_VALUE) {
      mv.visitIincInsn(v, f.step());
    } else {
      mv.visitVarInsn(Opcodes.ILOAD, v);
      intConst(f.step());
      mv.visitInsn(Opcodes.IADD);
      mv.visitVarInsn(Opcodes.ISTORE, v);
    }
    mv.visitJumpInsn(Opcodes.GOTO, test);
    mv.visitLabel(end);
  }

  void ix(Ix e) {
    if (e instanceof Ix.Lit l) {
      intConst(l.value());
    } else if (e instanceof Ix.Var v) {
      mv.visitVarInsn(Opcodes.ILOAD, slot(v.name(), 1));
    } else if (e instanceof Ix.N) {
      mv.visitVarInsn(Opcodes.ILOAD, 1);
    } else if (e instanceof Ix.Add a) {
      ix(a.a());
      ix(a.b());
      mv.visitInsn(Opcodes.IADD);
    } else if (e instanceof Ix.Mul m) {
      ix(m.a());
      intConst(m.factor());
      mv.visitInsn(Opcodes.IMUL);
    } else if (e instanceof Ix.Floor f) {
      ix(f.a());
      intConst(f.multiple());
      mv.visitInsn(Opcodes.IDIV);
      intConst(f.multiple());
      mv.visitInsn(Opcodes.IMUL);
    } else if (e instanceof Ix.Clamp c) {
      ix(c.a());
      if (c.divisor() != 1) {
        intConst(c.divisor());
        mv.visitInsn(Opcodes.IDIV);
      }
      intConst(c.lo());
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "max", "(II)I", false);
      intConst(c.hi());
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "min", "(II)I", false);
    } else {
      Ix.Load l = (Ix.Load) e;
      mv.visitVarInsn(Opcodes.ALOAD, slot(l.array(), 1));
      ix(l.index());
      mv.visitInsn(Opcodes.IALOAD);
    }
  }

  void intConst(int v) {
    if (v >= -1 && v <= 5) {
      mv.visitInsn(Opcodes.ICONST_0 + v);
    } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
      mv.visitIntInsn(Opcodes.BIPUSH, v);
    } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
      mv.visitIntInsn(Opcodes.SIPUSH, v);
    } else {
      mv.visitLdcInsn(v);
    }
  }

  void fconst(double v) {
    if (p == Precision.F32) {
      float f = (float) v;
      if (Float.floatToRawIntBits(f) == 0 || f == 1f || f == 2f) {
        mv.visitInsn(Opcodes.FCONST_0 + (int) f);
      } else {
        mv.visitLdcInsn(f);
      }
    } else if (Double.doubleToRawLongBits(v) == 0 || v == 1.0) {
      mv.visitInsn(Opcodes.DCONST_0 + (int) v);
    } else {
      mv.visitLdcInsn(v);
    }
  }

  void fx(Fx e) {
    if (e instanceof Fx.Load l) {
      mv.visitVarInsn(Opcodes.ALOAD, slot(l.array(), 1));
      ix(l.index());
      mv.visitInsn(p.op(Opcodes.IALOAD));
    } else if (e instanceof Fx.Const c) {
      fconst(c.value());
    } else if (e instanceof Fx.Local l) {
      mv.visitVarInsn(p.op(Opcodes.ILOAD), slot(l.name(), p.type.getSize()));
    } else if (e instanceof Fx.Unary u) {
      unary(u);
    } else if (e instanceof Fx.Binary b) {
      binary(b);
    } else if (e instanceof Fx.Select s) {
      Label otherwise = new Label();
      Label end = new Label();
      jumpIfFalse(s.cond(), otherwise);
      fx(s.a());
      mv.visitJumpInsn(Opcodes.GOTO, end);
      mv.visitLabel(otherwise);
      fx(s.b());
      mv.visitLabel(end);
    } else if (e instanceof Fx.Fma f) {
      fx(f.a());
      fx(f.b());
      if (fma) {
        fx(f.c());
        String d = p.type.getDescriptor();
        mv.visitMethodInsn(
            Opcodes.INVOKESTATIC, "java/lang/Math", "fma", "(" + d + d + d + ")" + d, false);
      } else {
        mv.visitInsn(p.op(Opcodes.IMUL));
        fx(f.c());
        mv.visitInsn(p.op(Opcodes.IADD));
      }
    } else if (e instanceof Fx.OfInt i) {
      ix(i.value());
      mv.visitInsn(p == Precision.F32 ? Opcodes.I2F : Opcodes.I2D);
    } else if (e instanceof Fx.Hyper h) {
      modelField("hyper", "[D");
      intConst(h.index());
      mv.visitInsn(Opcodes.DALOAD);
      narrow();
    } else if (e instanceof Fx.Dropout d) {
      modelField("seed", "J");
      modelField("step", "J");
      intConst(d.key());
      modelField("rowOffset", "J");
      ix(d.row());
      mv.visitInsn(Opcodes.I2L);
      mv.visitInsn(Opcodes.LADD);
      intConst(d.rowSize());
      ix(d.index());
      mv.visitLdcInsn(d.rate());
      mv.visitMethodInsn(
          Opcodes.INVOKESTATIC, "org/gradc/runtime/DropoutMasks", "scale", "(JJIJIID)D", false);
      narrow();
    } else {
      modelField("step", "J");
      mv.visitInsn(Opcodes.L2D);
      narrow();
    }
  }

  /**
   * {@code … → … value} of one of {@code Model}'s protected fields: read directly in the model
   * class, through its static accessor ({@link ClassAssembler#ACCESSOR_PREFIX}) in a nestmate.
   */
  private void modelField(String name, String descriptor) {
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    if (nested) {
      mv.visitMethodInsn(
          Opcodes.INVOKESTATIC,
          owner,
          ClassAssembler.ACCESSOR_PREFIX + name,
          "(L" + owner + ";)" + descriptor,
          false);
    } else {
      mv.visitFieldInsn(Opcodes.GETFIELD, owner, name, descriptor);
    }
  }

  private void narrow() {
    if (p == Precision.F32) {
      mv.visitInsn(Opcodes.D2F);
    }
  }

  /** {@code … x → … fn(x)}, as {@link LaneMath} defines it. */
  private void unary(Fx.Unary u) {
    fx(u.x());
    LaneMath.unary(u.fn(), lanes);
  }

  /** {@code … → … fn(a, b)}, as {@link LaneMath} defines it. */
  private void binary(Fx.Binary b) {
    fx(b.a());
    fx(b.b());
    LaneMath.binary(b.fn(), lanes);
  }

  /** Evaluates {@code cond} and jumps to {@code target} when it is 0 (false). */
  private void jumpIfFalse(Fx cond, Label target) {
    if (cond instanceof Fx.Binary b && comparison(b.fn())) {
      fx(b.a());
      fx(b.b());
      jumpUnless(mv, p, b.fn(), target);
      return;
    }
    fx(cond);
    fconst(0);
    mv.visitInsn(p == Precision.F32 ? Opcodes.FCMPL : Opcodes.DCMPL);
    mv.visitJumpInsn(Opcodes.IFEQ, target);
  }

  /** {@code … a, b → …}, jumping to {@code target} unless {@code a cmp b} (a comparison). */
  static void jumpUnless(MethodVisitor mv, Precision p, Scalar.BinaryFn cmp, Label target) {
    // NaN makes every comparison but != false: pick the cmp variant whose NaN result fails
    boolean g = cmp == Scalar.BinaryFn.LT || cmp == Scalar.BinaryFn.LE;
    mv.visitInsn(
        p == Precision.F32
            ? (g ? Opcodes.FCMPG : Opcodes.FCMPL)
            : (g ? Opcodes.DCMPG : Opcodes.DCMPL));
    int jumpWhenFalse =
        switch (cmp) {
          case LT -> Opcodes.IFGE;
          case LE -> Opcodes.IFGT;
          case GT -> Opcodes.IFLE;
          case GE -> Opcodes.IFLT;
          case EQ -> Opcodes.IFNE;
          case NE -> Opcodes.IFEQ;
          default -> throw new IllegalArgumentException(cmp + " is not a comparison");
        };
    mv.visitJumpInsn(jumpWhenFalse, target);
  }

  static boolean comparison(Scalar.BinaryFn fn) {
    return fn.comparison();
  }

  /** The JVM type of a local holding an {@code Fx}. */
  Type floatType() {
    return p.type;
  }
}
