package org.gradc.compiler.codegen;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/** The floating-point type generated code computes in: its JVM type and array descriptor. */
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

  /** Java's name for it, as dumps print it. */
  String javaName() {
    return this == F32 ? "float" : "double";
  }
}
