package org.gradc.compiler.codegen;

import java.util.List;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * A kernel method that only calls other kernel methods of the class, in order: how {@link
 * ModelCompiler} splits a kernel too large for one method.
 */
record CallsCode(List<String> methods) implements KernelCode {
  CallsCode {
    methods = List.copyOf(methods);
  }

  @Override
  public void emit(MethodVisitor mv, EmitContext context) {
    for (String m : methods) {
      mv.visitVarInsn(Opcodes.ALOAD, 0);
      mv.visitVarInsn(Opcodes.ILOAD, 1);
      if (context.nested()) {
        // a kernel of a width's nestmate calls its sibling kernels there, passing the model on
        mv.visitMethodInsn(
            Opcodes.INVOKESTATIC, context.nestmate(), m, "(L" + context.owner() + ";I)V", false);
      } else {
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, context.owner(), m, "(I)V", false);
      }
    }
    mv.visitInsn(Opcodes.RETURN);
  }

  @Override
  public String render(Precision precision, int indent) {
    StringBuilder out = new StringBuilder();
    for (String m : methods) {
      out.append("  ".repeat(indent)).append(m).append("(n);\n");
    }
    return out.toString();
  }
}
