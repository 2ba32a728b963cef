package org.gradc.compiler.cli;

import org.gradc.compiler.codegen.Precision;
import picocli.CommandLine;

/** {@code --precision f32|f64}, shared by the commands that generate code. */
final class PrecisionOption implements CommandLine.ITypeConverter<Precision> {
  @Override
  public Precision convert(String value) {
    try {
      return Precision.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a precision; use f32 or f64");
    }
  }
}
