package org.gradc.compiler.syntax;

import org.gradc.compiler.diag.SourceSpan;

/** The text a span covers, for hints that quote the model. */
final class SourceText {
  private SourceText() {}

  static String of(SourceSpan span) {
    String text = span.file().text();
    int end = Math.min(span.end(), text.length());
    int start = Math.min(span.start(), end);
    return text.substring(start, end).replaceAll("\\s+", " ");
  }

  static StringBuilder append(StringBuilder out, SourceSpan span) {
    return out.append(of(span));
  }
}
