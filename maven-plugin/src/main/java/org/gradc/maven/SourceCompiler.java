package org.gradc.maven;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;

/** The one thing the build needs from the compiler: a model file in, class files out. */
interface SourceCompiler {

  /**
   * What compiling one model produced.
   *
   * @param classes class bytes by binary class name ({@code org.example.Xor})
   * @param dependencies other files the model was compiled from (none today: the language has no
   *     imports), so that a change to one of them recompiles it
   * @param warnings diagnostics that did not stop compilation
   */
  record Compiled(Map<String, byte[]> classes, List<Path> dependencies, List<Diagnostic> warnings) {
    public Compiled {
      classes = Map.copyOf(classes);
      dependencies = List.copyOf(dependencies);
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * Compiles one model into classes of package {@code source.packageName()}.
   *
   * @throws CompileException carrying every error found in the model
   * @throws IOException if the file cannot be read
   */
  Compiled compile(ModelSource source, Precision precision) throws CompileException, IOException;

  /** What identifies this compiler in the incremental state: any change recompiles every model. */
  String fingerprint();
}
