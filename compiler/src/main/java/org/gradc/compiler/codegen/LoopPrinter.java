package org.gradc.compiler.codegen;

import java.util.List;
import java.util.Locale;
import org.gradc.compiler.ir.Scalar;

/**
 * Renders loop-level code as readable pseudo-Java, for {@code gradc dump}: what the kernel method
 * does, with each loop's origin as a comment.
 */
final class LoopPrinter {
  private final StringBuilder out = new StringBuilder();
  private final java.util.Set<String> declared = new java.util.HashSet<>();
  private final String type;

  private LoopPrinter(Precision p) {
    this.type = p.javaName();
  }

  static String render(List<LoopStmt> body, Precision p, int indent) {
    LoopPrinter r = new LoopPrinter(p);
    for (LoopStmt s : body) {
      r.stmt(s, indent);
    }
    return r.out.toString();
  }

  private void line(int indent, String text) {
    out.append("  ".repeat(indent)).append(text).append('\n');
  }

  private void stmt(LoopStmt s, int indent) {
    if (s instanceof LoopStmt.For f) {
      String step = f.step() == 1 ? f.var() + "++" : f.var() + " += " + f.step();
      String note = f.note() == null || f.note().isEmpty() ? "" : "  // " + f.note();
      line(
          indent,
          "for (int "
              + f.var()
              + " = "
              + ix(f.lo())
              + "; "
              + f.var()
              + " < "
              + ix(f.hi())
              + "; "
              + step
              + ") {"
              + note);
      for (LoopStmt b : f.body()) {
        stmt(b, indent + 1);
      }
      line(indent, "}");
    } else if (s instanceof LoopStmt.Store st) {
      line(indent, st.array() + "[" + ix(st.index()) + "] = " + fx(st.value()) + ";");
    } else if (s instanceof LoopStmt.Let l) {
      String decl = declared.add(l.name()) ? type + " " : "";
      line(indent, decl + l.name() + " = " + fx(l.value()) + ";");
    } else if (s instanceof LoopStmt.LetInt l) {
      String decl = declared.add(l.name()) ? "int " : "";
      line(indent, decl + l.name() + " = " + ix(l.value()) + ";");
    } else {
      line(indent, "// " + ((LoopStmt.Comment) s).text());
    }
  }

  static String ix(Ix e) {
    if (e instanceof Ix.Lit l) {
      return Integer.toString(l.value());
    } else if (e instanceof Ix.Var v) {
      return v.name();
    } else if (e instanceof Ix.N) {
      return "n";
    } else if (e instanceof Ix.Add a) {
      return ix(a.a()) + " + " + ix(a.b());
    } else if (e instanceof Ix.Mul m) {
      String a = ix(m.a());
      return (m.a() instanceof Ix.Add ? "(" + a + ")" : a) + " * " + m.factor();
    } else if (e instanceof Ix.Floor f) {
      return "(" + ix(f.a()) + ") / " + f.multiple() + " * " + f.multiple();
    } else if (e instanceof Ix.Clamp c) {
      String a = c.divisor() == 1 ? ix(c.a()) : "(" + ix(c.a()) + ") / " + c.divisor();
      return "min(max(" + a + ", " + c.lo() + "), " + c.hi() + ")";
    }
    Ix.Load l = (Ix.Load) e;
    return l.array() + "[" + ix(l.index()) + "]";
  }

  private String fx(Fx e) {
    if (e instanceof Fx.Load l) {
      return l.array() + "[" + ix(l.index()) + "]";
    } else if (e instanceof Fx.Const c) {
      double v = c.value();
      String s =
          v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
      return type.equals("float") ? s + "f" : s;
    } else if (e instanceof Fx.Local l) {
      return l.name();
    } else if (e instanceof Fx.Unary u) {
      String fn = u.fn().name().toLowerCase(Locale.ROOT);
      return u.fn() == Scalar.UnaryFn.NEG ? "-" + paren(u.x()) : fn + "(" + fx(u.x()) + ")";
    } else if (e instanceof Fx.Binary b) {
      if (isCall(b)) {
        return b.fn().name().toLowerCase(Locale.ROOT) + "(" + fx(b.a()) + ", " + fx(b.b()) + ")";
      }
      return LoopEmitter.comparison(b.fn()) ? "(" + infix(b) + " ? 1 : 0)" : infix(b);
    } else if (e instanceof Fx.Select s) {
      String cond =
          s.cond() instanceof Fx.Binary b && LoopEmitter.comparison(b.fn())
              ? infix(b)
              : fx(s.cond()) + " != 0";
      return "(" + cond + " ? " + fx(s.a()) + " : " + fx(s.b()) + ")";
    } else if (e instanceof Fx.Fma f) {
      return "fma(" + fx(f.a()) + ", " + fx(f.b()) + ", " + fx(f.c()) + ")";
    } else if (e instanceof Fx.OfInt i) {
      String v = ix(i.value());
      return "("
          + type
          + ") "
          + (i.value() instanceof Ix.Var || i.value() instanceof Ix.N ? v : "(" + v + ")");
    } else if (e instanceof Fx.Hyper h) {
      return "hyper[" + h.index() + "]";
    } else if (e instanceof Fx.Dropout d) {
      return "dropout(seed, step, "
          + d.key()
          + ", rowOffset + "
          + ix(d.row())
          + ", "
          + d.rowSize()
          + ", "
          + ix(d.index())
          + ", "
          + d.rate()
          + ")";
    }
    return "step";
  }

  private String infix(Fx.Binary b) {
    String op =
        switch (b.fn()) {
          case ADD -> "+";
          case SUB -> "-";
          case MUL -> "*";
          case DIV -> "/";
          case LT -> "<";
          case LE -> "<=";
          case GT -> ">";
          case GE -> ">=";
          case EQ -> "==";
          default -> "!=";
        };
    return paren(b.a()) + " " + op + " " + paren(b.b());
  }

  private String paren(Fx e) {
    String s = fx(e);
    return e instanceof Fx.Binary b && !isCall(b) || e instanceof Fx.Select ? "(" + s + ")" : s;
  }

  private static boolean isCall(Fx.Binary b) {
    return b.fn() == Scalar.BinaryFn.MAX
        || b.fn() == Scalar.BinaryFn.MIN
        || b.fn() == Scalar.BinaryFn.POW;
  }
}
