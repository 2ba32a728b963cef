package org.gradc.compiler.cli;

import org.gradc.compiler.codegen.BackendKind;
import picocli.CommandLine;

/** {@code --backend auto|scalar|vector}. */
final class BackendOption implements CommandLine.ITypeConverter<BackendKind> {
  @Override
  public BackendKind convert(String value) {
    for (BackendKind k : BackendKind.values()) {
      if (k.name().equalsIgnoreCase(value)) {
        return k;
      }
    }
    throw new CommandLine.TypeConversionException(
        "'" + value + "' is not a back end; use auto, scalar or vector");
  }
}
