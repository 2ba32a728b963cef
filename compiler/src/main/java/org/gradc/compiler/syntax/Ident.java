package org.gradc.compiler.syntax;

import org.gradc.compiler.diag.SourceSpan;

/** A name as written, with where it was written. */
public record Ident(SourceSpan span, String text) {
  @Override
  public String toString() {
    return text;
  }
}
