package org.gradc.compiler.syntax;

import java.util.List;
import org.gradc.compiler.diag.SourceFile;

/** The syntax tree of one model file: its name and its statements in source order. */
public record Program(SourceFile file, Ident modelName, List<Stmt> statements) {
  public Program {
    statements = List.copyOf(statements);
  }
}
