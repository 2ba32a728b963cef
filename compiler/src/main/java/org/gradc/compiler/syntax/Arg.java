package org.gradc.compiler.syntax;

import org.gradc.compiler.diag.SourceSpan;

/**
 * One argument of a call, an initializer or an optimizer.
 *
 * @param name the name of a named argument ({@code axis = 1}); {@code null} for a positional one
 */
public record Arg(SourceSpan span, Ident name, Expr value) {
  public boolean isNamed() {
    return name != null;
  }
}
