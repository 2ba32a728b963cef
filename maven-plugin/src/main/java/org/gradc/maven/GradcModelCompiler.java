package org.gradc.maven;

import java.io.IOException;
import java.util.List;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;

/**
 * The plugin's bridge to the compiler.
 *
 * <p>INTERIM: the compiler's public API ({@code org.gradc.compiler.Gradc}) is not in this build
 * yet; until it is, every model is reported as one clear error instead of being compiled.
 */
final class GradcModelCompiler implements ModelCompiler {

  @Override
  public Compiled compile(ModelSource source, Precision precision)
      throws CompileException, IOException {
    SourceFile file =
        new SourceFile(source.file().toString(), java.nio.file.Files.readString(source.file()));
    throw new CompileException(
        List.of(
            Diagnostic.error(
                "E0000",
                new SourceSpan(file, 0, 0),
                "this build of gradc-maven-plugin has no compiler yet")));
  }

  @Override
  public String fingerprint() {
    return CompilerFingerprint.of(List.of(Diagnostic.class));
  }
}
