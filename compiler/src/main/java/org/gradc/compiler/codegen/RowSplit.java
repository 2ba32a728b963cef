package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Which matmuls a {@code org.gradc.runtime.RowTeam} may split across threads inside one step, and
 * the code that does it: one schedule decision, in one place.
 *
 * <p>A vector kernel whose last part is a matmul over whole vectors (no partial-vector tail, not
 * blocked over k), preceded only by scalar {@code let}s (an optimizer's hyper-parameters), gets a
 * rows method {@code k5_rows(n, lo, hi)} beside it: the lets again, then the matmul's row blocks
 * and epilogue for output rows {@code [lo, hi)} ({@link VectorEmitter#matmulRows}), calling the
 * same block and epilogue methods as the kernel. The kernel, at the matmul, first asks the model's
 * team to run the rows methods over the rows split in whole {@code grain}s ({@link
 * VectorEmitter#rowGrain}: a multiple of the register block's rows and of the epilogue method's)
 * and returns if it did; else it runs on as before. Output rows are then computed by the same
 * instructions in the same order whichever thread runs them, so the result is bit-identical to one
 * thread's.
 *
 * <p>The split pays when the product is large against the cost of a fork (publishing to a spinning
 * worker and waiting for it: microseconds; waking a parked one: tens): {@code m · k · n ≥ }{@link
 * #MIN_WORK} multiply-adds, checked when the kernel runs (m or k is often the batch). The
 * FashionMlp splits its two 784 × 256 products (12.8 M multiply-adds at batch 64) and keeps the 256
 * × 10 ones (164 k) on one thread.
 *
 * <p>The epilogue must then touch only its own element of every array the kernel writes (c and the
 * arrays the epilogue stores: an Adam update's parameter and moments) and must not write the
 * operands: a thread runs its rows' epilogue while another still sums its rows.
 */
final class RowSplit {
  /** Multiply-adds from which a product is split: about 10-20 µs of one core's work. */
  static final long MIN_WORK = 1L << 19;

  private RowSplit() {}

  /**
   * The index of the part of {@code parts} a team may split (the last, a matmul preceded only by
   * lets, whose epilogue keeps to its own elements), or -1.
   */
  static int part(List<VectorCode.Part> parts) {
    if (parts.isEmpty()
        || !(parts.get(parts.size() - 1) instanceof VectorCode.MatmulPart last)
        || !safe(last.kernel())) {
      return -1;
    }
    for (VectorCode.Part p : parts.subList(0, parts.size() - 1)) {
      if (!(p instanceof VectorCode.ScalarPart s) || !letsOnly(s.body())) {
        return -1;
      }
    }
    return parts.size() - 1;
  }

  private static boolean letsOnly(List<LoopStmt> body) {
    for (LoopStmt s : body) {
      if (!(s instanceof LoopStmt.Let
          || s instanceof LoopStmt.LetInt
          || s instanceof LoopStmt.Comment)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether rows of {@code k} may run on different threads at once: its extents depend on the batch
   * only, its epilogue is straight-line code that reads and writes the arrays the kernel writes at
   * its own element {@code (a0, a1)} only, and it writes no operand.
   */
  static boolean safe(Kernel.Matmul k) {
    if (!batchOnly(k.m()) || !batchOnly(k.k())) {
      return false;
    }
    Ix at = Ix.add(Ix.mul(Ix.var("a0"), k.n()), Ix.var("a1"));
    Set<String> written = new HashSet<>();
    written.add(k.c());
    for (LoopStmt s : k.epilogue()) {
      if (s instanceof LoopStmt.Store st) {
        if (!st.index().equals(at)) {
          return false;
        }
        written.add(st.array());
      } else if (!(s instanceof LoopStmt.Let
          || s instanceof LoopStmt.LetInt
          || s instanceof LoopStmt.Comment)) {
        return false;
      }
    }
    Set<String> operands = LoopStmts.arrays(List.of(new LoopStmt.Let("a", k.a())));
    if (operands.stream().anyMatch(written::contains) || written.contains(k.b())) {
      return false;
    }
    // every read of a written array is of the element's own index
    for (LoopStmt s : k.epilogue()) {
      List<Fx> values = new ArrayList<>();
      if (s instanceof LoopStmt.Store st) {
        values.add(st.value());
      } else if (s instanceof LoopStmt.Let l) {
        values.add(l.value());
      } else if (s instanceof LoopStmt.LetInt l) {
        values.add(new Fx.OfInt(l.value()));
      }
      for (Fx v : values) {
        if (readsElsewhere(v, written, at)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether the extent is made of the batch and constants only (known before any let runs). */
  private static boolean batchOnly(Ix e) {
    List<LoopStmt> let = List.of(new LoopStmt.LetInt("$extent", e));
    return LoopStmts.free(let).ints().isEmpty() && LoopStmts.arrays(let).isEmpty();
  }

  /** Whether {@code e} reads one of {@code arrays} at an index other than {@code at}. */
  private static boolean readsElsewhere(Fx e, Set<String> arrays, Ix at) {
    if (e instanceof Fx.Load l) {
      return (arrays.contains(l.array()) && !l.index().equals(at))
          || readsElsewhere(l.index(), arrays);
    } else if (e instanceof Fx.Unary u) {
      return readsElsewhere(u.x(), arrays, at);
    } else if (e instanceof Fx.Binary b) {
      return readsElsewhere(b.a(), arrays, at) || readsElsewhere(b.b(), arrays, at);
    } else if (e instanceof Fx.Select s) {
      return readsElsewhere(s.cond(), arrays, at)
          || readsElsewhere(s.a(), arrays, at)
          || readsElsewhere(s.b(), arrays, at);
    } else if (e instanceof Fx.Fma f) {
      return readsElsewhere(f.a(), arrays, at)
          || readsElsewhere(f.b(), arrays, at)
          || readsElsewhere(f.c(), arrays, at);
    } else if (e instanceof Fx.OfInt i) {
      return readsElsewhere(i.value(), arrays);
    } else if (e instanceof Fx.Dropout d) {
      return readsElsewhere(d.row(), arrays) || readsElsewhere(d.index(), arrays);
    }
    return false;
  }

  /** Whether an index reads one of {@code arrays} (an int array written here: never at all). */
  private static boolean readsElsewhere(Ix e, Set<String> arrays) {
    List<LoopStmt> let = List.of(new LoopStmt.LetInt("$index", e));
    return LoopStmts.arrays(let).stream().anyMatch(arrays::contains);
  }

  /** The rows method of the kernel method {@code kernel}. */
  static String rowsMethod(String kernel) {
    return kernel + "_rows";
  }

  /**
   * At the matmul in the kernel: {@code if ((long) m * k * n >= MIN_WORK && RowTeam.fork(model,
   * number, n, m, grain)) return;}.
   */
  static void fork(MethodVisitor mv, LoopEmitter le, Kernel.Matmul k, int number, int grain) {
    Label serial = new Label();
    le.ix(k.m());
    mv.visitInsn(Opcodes.I2L);
    le.ix(k.k());
    mv.visitInsn(Opcodes.I2L);
    mv.visitInsn(Opcodes.LMUL);
    mv.visitLdcInsn((long) k.n());
    mv.visitInsn(Opcodes.LMUL);
    mv.visitLdcInsn(MIN_WORK);
    mv.visitInsn(Opcodes.LCMP);
    mv.visitJumpInsn(Opcodes.IFLT, serial);
    mv.visitVarInsn(Opcodes.ALOAD, 0);
    // a no-op to the JVM; lets a verifier that cannot load the model class (ASM's) see a Model
    mv.visitTypeInsn(Opcodes.CHECKCAST, "org/gradc/runtime/Model");
    le.intConst(number);
    mv.visitVarInsn(Opcodes.ILOAD, 1);
    le.ix(k.m());
    le.intConst(grain);
    mv.visitMethodInsn(
        Opcodes.INVOKESTATIC,
        "org/gradc/runtime/RowTeam",
        "fork",
        "(Lorg/gradc/runtime/Model;IIII)Z",
        false);
    mv.visitJumpInsn(Opcodes.IFEQ, serial);
    mv.visitInsn(Opcodes.RETURN);
    mv.visitLabel(serial);
  }
}
