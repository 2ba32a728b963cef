package org.gradc.maven;

import java.util.Locale;

/** The floating-point type of the generated code's parameters and activations. */
enum Precision {
  F32,
  F64;

  /**
   * Parses {@code f32} or {@code f64}, in any case.
   *
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  static Precision parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    return switch (t) {
      case "f32", "float", "float32" -> F32;
      case "f64", "double", "float64" -> F64;
      default ->
          throw new IllegalArgumentException("precision must be f32 or f64, but is '" + text + "'");
    };
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
