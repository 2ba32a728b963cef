package org.gradc.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.syntax.CheckedModel;
import org.gradc.compiler.syntax.FrontEnd;
import org.gradc.grammar.GradcParser;

/**
 * The plugin's bridge to the compiler. A model's file is named by its absolute path in messages, as
 * {@code javac} names Java files, so that IDE consoles link to it.
 *
 * <p>INTERIM: the front end checks each model (every syntax and shape error is real), but the code
 * generator's public API ({@code org.gradc.compiler.Gradc}) is not in this build yet, so a valid
 * model is reported as one error saying so instead of being compiled.
 */
final class GradcModelCompiler implements ModelCompiler {

  @Override
  public Compiled compile(ModelSource source, Precision precision)
      throws CompileException, IOException {
    SourceFile file =
        new SourceFile(source.file().toAbsolutePath().toString(), Files.readString(source.file()));
    CheckedModel model = FrontEnd.check(file, precision == Precision.F64 ? DType.F64 : DType.F32);
    throw new CompileException(
        List.of(
            Diagnostic.error(
                "E0000",
                new SourceSpan(file, 0, 0),
                "model "
                    + model.name()
                    + " is valid, but this build of gradc-maven-plugin has no code generator"
                    + " yet")));
  }

  @Override
  public String fingerprint() {
    return CompilerFingerprint.of(List.of(FrontEnd.class, GradcParser.class));
  }
}
