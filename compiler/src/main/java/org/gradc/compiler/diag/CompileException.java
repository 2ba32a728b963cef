package org.gradc.compiler.diag;

import java.util.List;

/**
 * Compilation failed. Carries every diagnostic found (errors and warnings), not just the first, so
 * the user fixes a file in one round trip.
 */
public final class CompileException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient List<Diagnostic> diagnostics;

  public CompileException(List<Diagnostic> diagnostics) {
    super(summary(diagnostics));
    this.diagnostics = List.copyOf(diagnostics);
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  public long errorCount() {
    return diagnostics.stream().filter(Diagnostic::isError).count();
  }

  /** All diagnostics rendered, one after the other. */
  public String render() {
    StringBuilder out = new StringBuilder();
    for (Diagnostic d : diagnostics) {
      out.append(d.render());
    }
    return out.toString();
  }

  private static String summary(List<Diagnostic> diagnostics) {
    return diagnostics.stream()
        .filter(Diagnostic::isError)
        .findFirst()
        .map(Diagnostic::headline)
        .orElse("compilation failed");
  }
}
