package org.gradc.compiler.codegen;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The methods one kernel method writes beside itself for its matmul register blocks ({@link
 * VectorEmitter}), in the class the kernel is in and shaped like the kernel methods there: {@code
 * private void k5_block0(int n, int i)} in the model class, {@code static void k5_block0(Owner
 * model, int n, int i)} in a width's nestmate (as {@link CallsCode} calls kernels; the model
 * class's own methods never name its type, which a hidden class could not resolve). Named after the
 * kernel, so no two kernels share one and the launcher's {@code k*} compile options match them. The
 * model and {@code n} sit in locals 0 and 1 as in a kernel method, so a {@link LoopEmitter} reads
 * the buffers the same way.
 */
final class BlockMethods {
  private final KernelCode.EmitContext context;
  private int count;

  /**
   * @param context a context with {@link KernelCode.EmitContext#methods()} and its method set
   */
  BlockMethods(KernelCode.EmitContext context) {
    this.context = context;
  }

  /** A name no other method of the class has. */
  String next() {
    return context.method() + "_block" + count++;
  }

  /** Starts the method {@code name}: the caller writes its body, return included, and ends it. */
  MethodVisitor open(String name) {
    return open(name, "");
  }

  /**
   * The same for a method with more parameters after {@code i}, of the JVM types in {@code more}
   * ({@code "FI"}: a float and an int).
   */
  MethodVisitor open(String name, String more) {
    int access = context.nested() ? Opcodes.ACC_STATIC : Opcodes.ACC_PRIVATE;
    MethodVisitor mv = context.methods().visitMethod(access, name, descriptor(more), null, null);
    mv.visitCode();
    return mv;
  }

  /**
   * An emitter for a block method's scalar parts, reading the model's fields as the kernel does.
   */
  LoopEmitter loopEmitter(MethodVisitor mv) {
    return new LoopEmitter(
        mv,
        context.owner(),
        context.precision(),
        context.fma(),
        context::descriptor,
        context.nested());
  }

  /** {@code model, n, i → (nothing)}: calls the method {@code name}. */
  void invoke(MethodVisitor mv, String name) {
    invoke(mv, name, "");
  }

  /** {@code model, n, i, more... → (nothing)}: calls the method {@code name}. */
  void invoke(MethodVisitor mv, String name, String more) {
    if (context.nested()) {
      mv.visitMethodInsn(Opcodes.INVOKESTATIC, context.nestmate(), name, descriptor(more), false);
    } else {
      mv.visitMethodInsn(Opcodes.INVOKESPECIAL, context.owner(), name, descriptor(more), false);
    }
  }

  private String descriptor(String more) {
    return context.nested() ? "(L" + context.owner() + ";II" + more + ")V" : "(II" + more + ")V";
  }
}
