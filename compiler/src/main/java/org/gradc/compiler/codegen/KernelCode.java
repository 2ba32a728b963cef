package org.gradc.compiler.codegen;

import org.objectweb.asm.MethodVisitor;

/**
 * The code of one kernel method, as a back end produced it: it can write itself as bytecode and
 * render itself as pseudo-Java. This is the seam between the scheduler (which decides what is
 * computed where, fused how) and a back end (which decides the instructions).
 */
interface KernelCode {

  /**
   * Emits the body of {@code void k(int n)} (after {@code visitCode}, before {@code visitMaxs}).
   */
  void emit(MethodVisitor mv, EmitContext context);

  /** Readable pseudo-Java of the body, indented by {@code indent} levels. */
  String render(Precision precision, int indent);

  /**
   * What a kernel method needs to know about the class it is written into.
   *
   * @param owner the class's internal name
   * @param descriptors the descriptor of every buffer field, by name
   */
  record EmitContext(
      String owner, Precision precision, boolean fma, java.util.Map<String, String> descriptors) {
    String descriptor(String field) {
      String d = descriptors.get(field);
      if (d == null) {
        throw new IllegalArgumentException("no buffer field " + field);
      }
      return d;
    }
  }
}
