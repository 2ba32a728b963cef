package org.gradc.compiler.diag;

/**
 * A range of characters {@code [start, end)} in one source file. Every AST node and every IR node
 * carries one, so an error found late in the pipeline still points at the text that caused it.
 */
public record SourceSpan(SourceFile file, int start, int end) {

  /** A span for things the compiler made up (gradient nodes, constants introduced by passes). */
  public static final SourceSpan SYNTHETIC =
      new SourceSpan(new SourceFile("<synthetic>", ""), 0, 0);

  public SourceSpan {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
    }
  }

  public int line() {
    return file.line(start);
  }

  public int column() {
    return file.column(start);
  }

  /** The smallest span covering both. */
  public SourceSpan to(SourceSpan other) {
    return new SourceSpan(file, Math.min(start, other.start), Math.max(end, other.end));
  }

  /** {@code file:line:col}, as compilers print it. */
  @Override
  public String toString() {
    return file.name() + ":" + line() + ":" + column();
  }
}
