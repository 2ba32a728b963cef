package org.gradc.compiler.cli;

import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.BackendKind;
import org.gradc.compiler.codegen.Precision;
import picocli.CommandLine.Option;

/** The code-generation options {@code compile} and {@code dump} share; a picocli mixin. */
final class GeneratorOptions {
  @Option(
      names = "--precision",
      paramLabel = "f32|f64",
      defaultValue = "f32",
      converter = PrecisionOption.class,
      description = "float precision of the generated code (default: ${DEFAULT-VALUE})")
  Precision precision;

  @Option(
      names = "--backend",
      paramLabel = "auto|scalar|vector",
      defaultValue = "auto",
      converter = BackendOption.class,
      description =
          "the kernel back end (default: ${DEFAULT-VALUE}: vector when the JVM has"
              + " jdk.incubator.vector)")
  BackendKind backend;

  /** The compiler options these flags select, on top of the defaults. */
  Gradc.Options options() {
    return Gradc.Options.defaults().withPrecision(precision).withBackend(backend);
  }
}
