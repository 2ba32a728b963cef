package org.gradc.compiler.diag;

/** How bad a diagnostic is. Errors stop compilation; warnings do not. */
public enum Severity {
  ERROR,
  WARNING;

  public String label() {
    return this == ERROR ? "error" : "warning";
  }
}
