package org.gradc.compiler.syntax;

import java.util.List;
import org.gradc.compiler.diag.SourceSpan;

/** An expression of the model language. Every node knows the source text it came from. */
public sealed interface Expr {

  SourceSpan span();

  /** An integer literal; {@code tooLarge} when it does not fit an {@code int}. */
  record IntLit(SourceSpan span, int value, boolean tooLarge) implements Expr {}

  /** A floating-point literal such as {@code 0.5}, {@code 1e-3}. */
  record FloatLit(SourceSpan span, double value) implements Expr {}

  /** {@code true} or {@code false}. */
  record BoolLit(SourceSpan span, boolean value) implements Expr {}

  /** A reference to a named value. */
  record Name(SourceSpan span, String name) implements Expr {}

  /** {@code -operand}. */
  record Neg(SourceSpan span, Expr operand) implements Expr {}

  /** {@code left op right} for {@code + - * / @ ^ < <= > >= == !=}. */
  record Binary(SourceSpan span, String op, SourceSpan opSpan, Expr left, Expr right)
      implements Expr {}

  /** {@code callee(args)}. */
  record Call(SourceSpan span, Ident callee, List<Arg> args) implements Expr {
    public Call {
      args = List.copyOf(args);
    }
  }

  /**
   * {@code target[i, ...]}: a member of a family ({@code h[t]}), members of a family ({@code h[1 ..
   * T]}), or NumPy-style static indexing of a tensor ({@code x[:, t]}, {@code x[:, 2 .. 5]}).
   */
  record Index(SourceSpan span, Expr target, List<IndexItem> items) implements Expr {
    public Index {
      items = List.copyOf(items);
    }
  }

  /** One position of an {@link Index}. */
  sealed interface IndexItem {
    SourceSpan span();

    /** {@code :}, the whole axis. */
    record All(SourceSpan span) implements IndexItem {}

    /** {@code i}: selects one element and drops the axis. */
    record At(SourceSpan span, Expr index) implements IndexItem {}

    /** {@code a .. b}: the half-open range, keeping the axis. */
    record Range(SourceSpan span, Expr from, Expr to) implements IndexItem {}
  }

  /** {@code [e1, e2, ...]}: a static list, such as the axes of a reduction. */
  record ListLit(SourceSpan span, List<Expr> elements) implements Expr {
    public ListLit {
      elements = List.copyOf(elements);
    }
  }
}
