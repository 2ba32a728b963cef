package org.gradc.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import org.gradc.compiler.Compilation;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.BackendKind;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.grammar.GradcParser;

/**
 * The plugin's bridge to the compiler: one {@link Compilation} per model (one parse; its classes
 * and its warnings) with the model's package, the build's precision and back end. A model's file is
 * named by its absolute path in messages, as {@code javac} names Java files, so that terminals and
 * IDE consoles link to it.
 */
final class GradcSourceCompiler implements SourceCompiler {
  private final BackendKind backend;
  private final boolean inference;

  /**
   * @param backend {@code scalar} or {@code vector}, in any case; {@code vector} writes {@link
   *     BackendKind#PORTABLE portable} classes (scalar kernels and 128-, 256-, 512-bit ones, picked
   *     by the JVM that loads the class), which needs no vector module in the JVM running Maven
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  GradcSourceCompiler(String backend) {
    this(backend, false);
  }

  /**
   * @param inference whether to emit inference-only classes (evaluation entry points only)
   */
  GradcSourceCompiler(String backend, boolean inference) {
    this.inference = inference;
    String b = backend == null ? "" : backend.trim().toLowerCase(Locale.ROOT);
    this.backend =
        switch (b) {
          case "scalar" -> BackendKind.SCALAR;
          case "vector" -> BackendKind.PORTABLE;
          default ->
              throw new IllegalArgumentException(
                  "backend must be scalar or vector, but is '" + backend + "'");
        };
  }

  @Override
  public Compiled compile(ModelSource source, Precision precision)
      throws CompileException, IOException {
    SourceFile file =
        new SourceFile(source.file().toAbsolutePath().toString(), Files.readString(source.file()));
    Compilation compilation =
        Compilation.of(
            file,
            Gradc.Options.defaults()
                .withPrecision(precision)
                .withPackage(source.packageName())
                .withBackend(backend)
                .withInference(inference));
    GeneratedClass generated = compilation.generate();
    List<Diagnostic> warnings = compilation.warnings();
    return new Compiled(generated.classFiles(), List.of(), warnings);
  }

  /**
   * The compiler jar and the grammar jar, and the back end: a change to any of them recompiles
   * every model.
   */
  @Override
  public String fingerprint() {
    return CompilerFingerprint.of(List.of(Gradc.class, GradcParser.class))
        + "-"
        + backend.name().toLowerCase(Locale.ROOT)
        + (inference ? "-inference" : "");
  }
}
