package org.gradc.compiler.codegen;

import java.util.List;
import org.objectweb.asm.MethodVisitor;

/** Kernel code written as loop-level statements (what the scalar back end produces). */
record LoopKernel(List<LoopStmt> body) implements KernelCode {
  LoopKernel {
    body = List.copyOf(body);
  }

  @Override
  public void emit(MethodVisitor mv, EmitContext c) {
    new LoopEmitter(mv, c.owner(), c.precision(), c.fma(), c::descriptor, c.nested())
        .emitMethod(body);
  }

  @Override
  public String render(Precision precision, int indent) {
    return LoopPrinter.render(body, precision, indent);
  }
}
