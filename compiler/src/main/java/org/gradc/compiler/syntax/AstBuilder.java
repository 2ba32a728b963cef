package org.gradc.compiler.syntax;

import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.grammar.GradcParser;

/** Parse tree to AST. Runs only on trees without syntax errors, so every child is present. */
final class AstBuilder {
  private final SourceFile file;
  private final List<Diagnostic> diagnostics;

  AstBuilder(SourceFile file, List<Diagnostic> diagnostics) {
    this.file = file;
    this.diagnostics = diagnostics;
  }

  Program program(GradcParser.ProgramContext ctx) {
    List<Stmt> statements = new ArrayList<>();
    for (GradcParser.StatementContext s : ctx.statement()) {
      statements.add(statement(s));
    }
    return new Program(file, ident(ctx.header().name), statements);
  }

  private Stmt statement(GradcParser.StatementContext ctx) {
    SourceSpan at = span(ctx);
    if (ctx instanceof GradcParser.ConstDeclContext c) {
      return new Stmt.Const(at, ident(c.name), expr(c.value));
    }
    if (ctx instanceof GradcParser.InputDeclContext c) {
      return new Stmt.Input(at, ident(c.name), type(c.type()));
    }
    if (ctx instanceof GradcParser.ParamDeclContext c) {
      return new Stmt.Param(
          at, ident(c.name), type(c.type()), ident(c.init), args(c.arguments()), false);
    }
    if (ctx instanceof GradcParser.StateDeclContext c) {
      return new Stmt.Param(
          at, ident(c.name), type(c.type()), ident(c.init), args(c.arguments()), true);
    }
    if (ctx instanceof GradcParser.OutputDeclContext c) {
      return new Stmt.Output(at, ident(c.name), c.value == null ? null : expr(c.value));
    }
    if (ctx instanceof GradcParser.LossDeclContext c) {
      return new Stmt.Loss(at, expr(c.value));
    }
    if (ctx instanceof GradcParser.OptimizerDeclContext c) {
      return new Stmt.Optimizer(at, ident(c.name), args(c.arguments()));
    }
    if (ctx instanceof GradcParser.DefDeclContext c) {
      List<Stmt.DefParam> params = new ArrayList<>();
      if (c.defParams() != null) {
        for (GradcParser.DefParamContext p : c.defParams().defParam()) {
          params.add(new Stmt.DefParam(ident(p.name), p.value == null ? null : expr(p.value)));
        }
      }
      return new Stmt.Def(at, ident(c.name), params, expr(c.body));
    }
    if (ctx instanceof GradcParser.ForLoopContext c) {
      List<Stmt> body = new ArrayList<>();
      for (GradcParser.StatementContext s : c.statement()) {
        body.add(statement(s));
      }
      return new Stmt.For(at, ident(c.var), expr(c.from), expr(c.to), body);
    }
    GradcParser.BindingContext c = (GradcParser.BindingContext) ctx;
    if (c.index != null) {
      return new Stmt.MemberBinding(at, ident(c.name), expr(c.index), expr(c.value));
    }
    return new Stmt.Binding(at, ident(c.name), expr(c.value));
  }

  private Expr.IndexItem indexItem(GradcParser.IndexItemContext ctx) {
    SourceSpan at = span(ctx);
    if (ctx instanceof GradcParser.ExprItemContext c) {
      return c.to == null
          ? new Expr.IndexItem.At(at, expr(c.from))
          : new Expr.IndexItem.Range(at, expr(c.from), expr(c.to));
    }
    return new Expr.IndexItem.All(at);
  }

  private TypeRef type(GradcParser.TypeContext ctx) {
    List<Expr> dims = new ArrayList<>();
    for (GradcParser.ExprContext e : ctx.expr()) {
      dims.add(expr(e));
    }
    return new TypeRef(span(ctx), ctx.elem.getType() == GradcParser.FLOAT_TYPE, dims);
  }

  private List<Arg> args(GradcParser.ArgumentsContext ctx) {
    List<Arg> args = new ArrayList<>();
    if (ctx == null) {
      return args;
    }
    for (GradcParser.ArgumentContext a : ctx.argument()) {
      args.add(new Arg(span(a), a.name == null ? null : ident(a.name), expr(a.value)));
    }
    return args;
  }

  private Expr expr(GradcParser.ExprContext ctx) {
    SourceSpan at = span(ctx);
    if (ctx instanceof GradcParser.ParenExprContext c) {
      return expr(c.expr());
    }
    if (ctx instanceof GradcParser.NameOrCallExprContext c) {
      if (c.arguments() != null) {
        return new Expr.Call(at, ident(c.IDENT().getSymbol()), args(c.arguments()));
      }
      return new Expr.Name(at, c.IDENT().getText());
    }
    if (ctx instanceof GradcParser.IntExprContext c) {
      String text = c.INT().getText();
      int value;
      boolean tooLarge = false;
      try {
        value = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        value = 0;
        tooLarge = true;
        diagnostics.add(
            Diagnostic.error(
                Codes.INT_TOO_LARGE,
                at,
                "the integer " + abbreviate(text) + " is too large",
                "integers must be at most " + Integer.MAX_VALUE + "; write a float such as 1e12"));
      }
      return new Expr.IntLit(at, value, tooLarge);
    }
    if (ctx instanceof GradcParser.FloatExprContext c) {
      double value = Double.parseDouble(c.FLOAT().getText());
      if (Double.isInfinite(value)) {
        diagnostics.add(
            Diagnostic.error(
                Codes.FLOAT_OUT_OF_RANGE,
                at,
                "the number " + abbreviate(c.FLOAT().getText()) + " is too large for a float",
                "floats are at most about 1.8e308"));
      }
      return new Expr.FloatLit(at, value);
    }
    if (ctx instanceof GradcParser.BoolExprContext c) {
      return new Expr.BoolLit(at, c.TRUE() != null);
    }
    if (ctx instanceof GradcParser.ListExprContext c) {
      List<Expr> elements = new ArrayList<>();
      for (GradcParser.ExprContext e : c.expr()) {
        elements.add(expr(e));
      }
      return new Expr.ListLit(at, elements);
    }
    if (ctx instanceof GradcParser.IndexExprContext c) {
      List<Expr.IndexItem> items = new ArrayList<>();
      for (GradcParser.IndexItemContext i : c.indexItem()) {
        items.add(indexItem(i));
      }
      return new Expr.Index(at, expr(c.target), items);
    }
    if (ctx instanceof GradcParser.NegExprContext c) {
      return new Expr.Neg(at, expr(c.operand));
    }
    GradcParser.BinaryExprContext c = (GradcParser.BinaryExprContext) ctx;
    return new Expr.Binary(at, c.op.getText(), span(c.op), expr(c.left), expr(c.right));
  }

  private static String abbreviate(String digits) {
    return digits.length() <= 24 ? digits : digits.substring(0, 20) + "...";
  }

  private Ident ident(Token t) {
    return new Ident(span(t), t.getText());
  }

  private SourceSpan span(Token t) {
    return new SourceSpan(file, t.getStartIndex(), t.getStopIndex() + 1);
  }

  private SourceSpan span(ParserRuleContext ctx) {
    int start = ctx.getStart().getStartIndex();
    Token stop = ctx.getStop();
    int end = stop == null ? start : Math.max(start, stop.getStopIndex() + 1);
    return new SourceSpan(file, start, end);
  }
}
