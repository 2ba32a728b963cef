package org.gradc.compiler.ir;

/**
 * Element type of a tensor. Floating-point graphs are built in one precision (chosen per
 * compilation); {@code I32} holds labels and indices; {@code BOOL} holds comparison masks.
 */
public enum DType {
  F32,
  F64,
  I32,
  BOOL;

  public boolean isFloat() {
    return this == F32 || this == F64;
  }

  /** The name used in the language and in messages. */
  public String displayName() {
    return switch (this) {
      case F32 -> "float";
      case F64 -> "float64";
      case I32 -> "int";
      case BOOL -> "bool";
    };
  }
}
