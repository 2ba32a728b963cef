package org.gradc.compiler.codegen;

import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;

/**
 * The code of one kernel method, as a back end produced it: it can write itself as bytecode and
 * render itself as pseudo-Java. This is the seam between the scheduler (which decides what is
 * computed where, fused how) and a back end (which decides the instructions).
 */
interface KernelCode {

  /**
   * Emits the body of {@code void k(int n)} (after {@code visitCode}, before {@code visitMaxs}), or
   * of {@code static void k(Owner self, int n)} in a nestmate when {@link EmitContext#nested()}:
   * both have the model in local 0 and {@code n} in local 1.
   */
  void emit(MethodVisitor mv, EmitContext context);

  /** Readable pseudo-Java of the body, indented by {@code indent} levels. */
  String render(Precision precision, int indent);

  /**
   * What a kernel method needs to know about the class it is written into.
   *
   * @param owner the model class's internal name (whose fields the code reads)
   * @param descriptors the descriptor of every buffer field, by name
   * @param nestmate the internal name of the nestmate of {@code owner} the code is a static method
   *     of, or {@code null} for a method of the model class itself: nested code reads the model's
   *     private fields directly (nestmate access) but {@code Model}'s protected ones ({@code
   *     hyper}, {@code step}, ...) through the owner's static accessors, as protected access from
   *     another package needs a subclass
   * @param method the name of the kernel method being written, which names the methods it writes
   *     beside itself ({@code k5_block0}); {@code null} when not known
   * @param methods the class the kernel method is written into, where it may write static methods
   *     of its own (a matmul's register blocks, see {@link VectorEmitter}); {@code null} when the
   *     code must be one method
   * @param rows where the class records the kernels it writes a rows method for ({@link RowSplit}),
   *     so it can dispatch to them; {@code null} when no kernel may be split (a method written
   *     alone, to measure it)
   */
  record EmitContext(
      String owner,
      Precision precision,
      boolean fma,
      java.util.Map<String, String> descriptors,
      String nestmate,
      String method,
      ClassVisitor methods,
      RowMethods rows) {
    /** A context for a method of the model class itself. */
    EmitContext(
        String owner, Precision precision, boolean fma, java.util.Map<String, String> descriptors) {
      this(owner, precision, fma, descriptors, null, null, null, null);
    }

    /** The same context for the kernel method {@code name}, written into {@code cv}. */
    EmitContext writing(String name, ClassVisitor cv) {
      return new EmitContext(owner, precision, fma, descriptors, nestmate, name, cv, rows);
    }

    /** The same context recording its rows methods in {@code rows}. */
    EmitContext recording(RowMethods rows) {
      return new EmitContext(owner, precision, fma, descriptors, nestmate, method, methods, rows);
    }

    /** The code is a static method of a nestmate (see {@link #nestmate()}). */
    boolean nested() {
      return nestmate != null;
    }

    /** The same context for a static method of the nestmate {@code internalName}. */
    EmitContext in(String internalName) {
      return new EmitContext(
          owner, precision, fma, descriptors, internalName, method, methods, rows);
    }

    String descriptor(String field) {
      String d = descriptors.get(field);
      if (d == null) {
        throw new IllegalArgumentException("no buffer field " + field);
      }
      return d;
    }
  }
}
