package org.gradc.compiler.syntax;

import java.util.List;
import org.gradc.compiler.diag.SourceSpan;

/** A top-level statement of a model file. */
public sealed interface Stmt {

  SourceSpan span();

  /** {@code const N = 256}. */
  record Const(SourceSpan span, Ident name, Expr value) implements Stmt {}

  /** {@code input x: float[batch, 784]}. */
  record Input(SourceSpan span, Ident name, TypeRef type) implements Stmt {}

  /**
   * {@code param W: float[784, 256] = normal(0, 0.01)}, or with {@code state} model state ({@code
   * state mu: float[32] = zeros}: initialized the same way, not trained); {@code initArgs} empty
   * without parens.
   */
  record Param(
      SourceSpan span, Ident name, TypeRef type, Ident init, List<Arg> initArgs, boolean state)
      implements Stmt {
    public Param {
      initArgs = List.copyOf(initArgs);
    }
  }

  /**
   * {@code output probs = softmax(logits)}, or {@code output logits}: then {@code value} is null.
   */
  record Output(SourceSpan span, Ident name, Expr value) implements Stmt {}

  /** {@code loss mean(...)}. */
  record Loss(SourceSpan span, Expr value) implements Stmt {}

  /** {@code optimizer adam(lr = 0.001)}. */
  record Optimizer(SourceSpan span, Ident name, List<Arg> args) implements Stmt {
    public Optimizer {
      args = List.copyOf(args);
    }
  }

  /** {@code def f(a, b = 1) = expr}: inlined at every call. */
  record Def(SourceSpan span, Ident name, List<DefParam> params, Expr body) implements Stmt {
    public Def {
      params = List.copyOf(params);
    }
  }

  /** A parameter of a {@code def}, with an optional default value. */
  record DefParam(Ident name, Expr defaultValue) {}

  /** {@code name = expr}. */
  record Binding(SourceSpan span, Ident name, Expr value) implements Stmt {}

  /** {@code h[t + 1] = expr}: defines one member of the family {@code h}. */
  record MemberBinding(SourceSpan span, Ident name, Expr index, Expr value) implements Stmt {}

  /**
   * {@code for t in from .. to { body }}: unrolled at compile time, {@code t} running over the
   * half-open range; each iteration is its own scope for plain names.
   */
  record For(SourceSpan span, Ident variable, Expr from, Expr to, List<Stmt> body) implements Stmt {
    public For {
      body = List.copyOf(body);
    }
  }
}
