package org.gradc.compiler.codegen;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The floating-point type generated code computes in: its JVM type and array descriptor. The one
 * float-width type of the compiler's API (the CLI and the Maven plugin parse it with {@link
 * #parse}); {@link #ir()} and {@link #runtime()} are the only conversions to the IR's and the
 * runtime's element types, which also name int and bool tensors.
 */
public enum Precision {
  F32(Type.FLOAT_TYPE, Opcodes.T_FLOAT),
  F64(Type.DOUBLE_TYPE, Opcodes.T_DOUBLE);

  final Type type;
  final int newarrayCode;

  Precision(Type type, int newarrayCode) {
    this.type = type;
    this.newarrayCode = newarrayCode;
  }

  /** {@code [F} or {@code [D}. */
  String arrayDescriptor() {
    return "[" + type.getDescriptor();
  }

  /** The opcode of {@code intOpcode} (e.g. IADD, IALOAD) for this type. */
  int op(int intOpcode) {
    return type.getOpcode(intOpcode);
  }

  /** The runtime's name for it. */
  public org.gradc.runtime.DType runtime() {
    return this == F32 ? org.gradc.runtime.DType.F32 : org.gradc.runtime.DType.F64;
  }

  /** The IR's name for it. */
  public org.gradc.compiler.ir.DType ir() {
    return this == F32 ? org.gradc.compiler.ir.DType.F32 : org.gradc.compiler.ir.DType.F64;
  }

  /**
   * Parses {@code f32} ({@code float}, {@code float32}) or {@code f64} ({@code double}, {@code
   * float64}), in any case.
   *
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  public static Precision parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
    return switch (t) {
      case "f32", "float", "float32" -> F32;
      case "f64", "double", "float64" -> F64;
      default ->
          throw new IllegalArgumentException("precision must be f32 or f64, but is '" + text + "'");
    };
  }

  /** {@code f32} or {@code f64}, as options spell it. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Java's name for it, as dumps print it. */
  String javaName() {
    return this == F32 ? "float" : "double";
  }
}
