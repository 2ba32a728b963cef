package org.gradc.compiler.codegen;

import org.gradc.compiler.codegen.vector.VectorCalls;
import org.gradc.compiler.ir.Scalar;
import org.gradc.runtime.ProfilePriming;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Code for the static initializer of a class with Vector API kernels: it runs every lanewise
 * operation the kernels can call once, on zero vectors, before any kernel runs.
 *
 * <p>Why: each lanewise operation ({@code add}, {@code abs}, {@code fma}, the bit operations …)
 * looks its implementation up in a cache of {@code jdk.incubator.vector} ({@code
 * VectorOperators.ImplCache.find}), one per operator family and element type, filled on the first
 * use of each operator by calling a supplier lambda of that family. Without priming, those first
 * uses happen while the first training step runs the kernels in the interpreter; by then C2 may
 * have compiled {@code find} (hot from the first kernels' loops) with its supplier call speculated
 * to be the only family seen so far, and the first operator of another family then deoptimizes it
 * ({@code class_check} traps at {@code find}'s bytecode 18, recorded for good in its profile). C2
 * adds the trap counts of every method it inlines, once per inlined copy, and a kernel inlines
 * {@code find} at each of its lanewise calls: 4 traps times 25 calls reach the limit of 100 ({@code
 * PerMethodTrapLimit}) after which the kernel's later calls are compiled without type speculation.
 * Their receivers' species are then not constants, and C2 leaves such a kernel's {@code intoArray}
 * calls as calls of the lane-by-lane Java fallback, which allocates each stored vector. Whether and
 * how often that happened depended on the order of C2's compiles: the Names LSTM's warm training
 * step took 8 to 11 ms by the run (docs/performance.md). Primed at class initialization, the caches
 * are full before any profile exists, so no lanewise call misses them afterwards and {@code find}
 * cannot trap.
 *
 * <p>The first class of a species in a JVM runs the priming {@link ProfilePriming#FIRST_ROUNDS}
 * times ({@link ProfilePriming#rounds}): other Vector API methods that every lanewise call inlines
 * ({@code VectorOperators.opCode} and {@code opKind}) trap the same way unless their profiles have
 * seen many operator classes before any kernel runs (see {@code org.gradc.runtime.ProfilePriming}).
 */
final class VectorPriming {
  private VectorPriming() {}

  /**
   * {@code … → …}: every operation of {@link Lanes.Op} and {@link Lanes.BitOp}, {@code fma}, {@code
   * addIndex}, each comparison with a blend, the row maximum's {@code reduceLanes(MAX)}, and {@code
   * lane} and {@code withLane} at every lane index, once on zero vectors of {@code v}'s species,
   * the results dropped, as many times as {@link ProfilePriming#rounds} says; {@code slot} and the
   * two locals after it are free.
   */
  static void emit(MethodVisitor mv, VectorCalls v, int slot) {
    int round = slot + 1;
    int rounds = slot + 2;
    mv.visitLdcInsn(species(v));
    mv.visitMethodInsn(
        Opcodes.INVOKESTATIC, ROUNDS_OWNER, ROUNDS_METHOD, "(Ljava/lang/String;)I", false);
    mv.visitVarInsn(Opcodes.ISTORE, rounds);
    mv.visitInsn(Opcodes.ICONST_0);
    mv.visitVarInsn(Opcodes.ISTORE, round);
    Label test = new Label();
    Label body = new Label();
    mv.visitJumpInsn(Opcodes.GOTO, test);
    mv.visitLabel(body);
    once(mv, v, slot);
    mv.visitIincInsn(round, 1);
    mv.visitLabel(test);
    mv.visitVarInsn(Opcodes.ILOAD, round);
    mv.visitVarInsn(Opcodes.ILOAD, rounds);
    mv.visitJumpInsn(Opcodes.IF_ICMPLT, body);
  }

  /** The owner of the method giving the number of rounds (in the runtime: see its javadoc). */
  static final String ROUNDS_OWNER = "org/gradc/runtime/ProfilePriming";

  static final String ROUNDS_METHOD = "rounds";

  /**
   * The key {@link ProfilePriming#rounds} counts by: {@code "jdk/incubator/vector/FloatVector
   * x16"}.
   */
  static String species(VectorCalls v) {
    return v.vectorClass() + " x" + v.lanes();
  }

  /** One round of the priming. */
  private static void once(MethodVisitor mv, VectorCalls v, int slot) {
    v.zero(mv);
    mv.visitVarInsn(Opcodes.ASTORE, slot);
    for (Lanes.Op op : Lanes.Op.values()) {
      for (int i = 0; i < VectorLanes.arity(op); i++) {
        mv.visitVarInsn(Opcodes.ALOAD, slot);
      }
      VectorLanes.op(v, mv, op);
      mv.visitInsn(Opcodes.POP);
    }
    for (int i = 0; i < 3; i++) {
      mv.visitVarInsn(Opcodes.ALOAD, slot);
    }
    v.fma(mv);
    mv.visitInsn(Opcodes.POP);
    mv.visitVarInsn(Opcodes.ALOAD, slot);
    mv.visitInsn(Opcodes.ICONST_1);
    v.addIndex(mv);
    mv.visitInsn(Opcodes.POP);
    for (Scalar.BinaryFn cmp : Scalar.BinaryFn.values()) {
      if (!cmp.comparison()) {
        continue;
      }
      for (int i = 0; i < 3; i++) {
        mv.visitVarInsn(Opcodes.ALOAD, slot); // whenFalse, whenTrue, a
      }
      v.operator(mv, cmp.name(), "Comparison");
      mv.visitVarInsn(Opcodes.ALOAD, slot);
      v.compare(mv);
      v.blend(mv);
      mv.visitInsn(Opcodes.POP);
    }
    mv.visitVarInsn(Opcodes.ALOAD, slot);
    v.operator(mv, "MAX", "Associative");
    v.reduceLanes(mv);
    v.popScalar(mv);
    mv.visitVarInsn(Opcodes.ALOAD, slot);
    v.toBits(mv);
    for (Lanes.BitOp op : Lanes.BitOp.values()) {
      VectorLanes.bits(v, mv, op, 1);
    }
    v.fromBits(mv);
    mv.visitInsn(Opcodes.POP);
    // lane(i) and withLane(i, x) call one helper per lane index; C2 does not inline a helper
    // called fewer than MinInliningThreshold (250) times before, and left alone it takes the vector
    // boxed: at 256 bits the FashionCnn's k5_block0 allocated 131 KB a step reading the two last
    // lanes of its partial vector
    boolean f64 = v.vectorClass().endsWith("DoubleVector");
    for (int i = 0; i < v.lanes(); i++) {
      mv.visitVarInsn(Opcodes.ALOAD, slot);
      mv.visitLdcInsn(i);
      v.lane(mv);
      v.popScalar(mv);
      mv.visitVarInsn(Opcodes.ALOAD, slot);
      mv.visitLdcInsn(i);
      mv.visitInsn(f64 ? Opcodes.DCONST_0 : Opcodes.FCONST_0);
      v.withLane(mv);
      mv.visitInsn(Opcodes.POP);
    }
  }
}
