package org.gradc.compiler.diag;

import java.util.List;

/**
 * One message for the person who wrote the model: a stable code (explained in docs/errors.md), what
 * is wrong, where, and optional hints on how to fix it.
 *
 * @param code a stable identifier such as {@code E0101}; never reused for another meaning
 */
public record Diagnostic(
    Severity severity, String code, String message, SourceSpan span, List<String> hints) {

  public Diagnostic {
    hints = List.copyOf(hints);
  }

  public static Diagnostic error(String code, SourceSpan span, String message, String... hints) {
    return new Diagnostic(Severity.ERROR, code, message, span, List.of(hints));
  }

  public static Diagnostic warning(String code, SourceSpan span, String message, String... hints) {
    return new Diagnostic(Severity.WARNING, code, message, span, List.of(hints));
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** The first line of the rendered message: {@code file:line:col: error[CODE]: message}. */
  public String headline() {
    return span + ": " + severity.label() + "[" + code + "]: " + message;
  }

  /**
   * The full rendering: headline, the source line, a caret range under the offending text, and one
   * {@code = hint:} line per hint.
   */
  public String render() {
    StringBuilder out = new StringBuilder(headline()).append('\n');
    SourceFile file = span.file();
    if (file.text().isEmpty() && span.start() == 0) {
      appendHints(out);
      return out.toString();
    }
    int line = span.line();
    String text = file.lineText(line);
    String gutter = String.valueOf(line);
    String pad = " ".repeat(gutter.length());
    out.append(pad).append(" |\n");
    out.append(gutter).append(" | ").append(text).append('\n');
    int col = span.column() - 1;
    int lineEndOffset = span.start() - col + text.length();
    int width = Math.max(1, Math.min(span.end(), lineEndOffset) - span.start());
    StringBuilder marker = new StringBuilder();
    for (int i = 0; i < col && i < text.length(); i++) {
      marker.append(text.charAt(i) == '\t' ? '\t' : ' ');
    }
    out.append(pad).append(" | ").append(marker).append("^".repeat(width)).append('\n');
    appendHints(out);
    return out.toString();
  }

  private void appendHints(StringBuilder out) {
    for (String hint : hints) {
      out.append(" = hint: ").append(hint).append('\n');
    }
  }
}
