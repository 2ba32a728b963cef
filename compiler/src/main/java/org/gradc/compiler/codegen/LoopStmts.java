package org.gradc.compiler.codegen;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Queries over loop-level code. */
final class LoopStmts {
  private LoopStmts() {}

  /** The buffer names {@code body} reads or writes, in order of first use. */
  static Set<String> arrays(List<LoopStmt> body) {
    Set<String> out = new LinkedHashSet<>();
    for (LoopStmt s : body) {
      stmt(s, out);
    }
    return out;
  }

  private static void stmt(LoopStmt s, Set<String> out) {
    if (s instanceof LoopStmt.For f) {
      ix(f.lo(), out);
      ix(f.hi(), out);
      for (LoopStmt b : f.body()) {
        stmt(b, out);
      }
    } else if (s instanceof LoopStmt.Store st) {
      out.add(st.array());
      ix(st.index(), out);
      fx(st.value(), out);
    } else if (s instanceof LoopStmt.Let l) {
      fx(l.value(), out);
    } else if (s instanceof LoopStmt.LetInt l) {
      ix(l.value(), out);
    }
  }

  private static void ix(Ix e, Set<String> out) {
    if (e instanceof Ix.Add a) {
      ix(a.a(), out);
      ix(a.b(), out);
    } else if (e instanceof Ix.Mul m) {
      ix(m.a(), out);
    } else if (e instanceof Ix.Floor f) {
      ix(f.a(), out);
    } else if (e instanceof Ix.Clamp c) {
      ix(c.a(), out);
    } else if (e instanceof Ix.Load l) {
      out.add(l.array());
      ix(l.index(), out);
    }
  }

  private static void fx(Fx e, Set<String> out) {
    if (e instanceof Fx.Load l) {
      out.add(l.array());
      ix(l.index(), out);
    } else if (e instanceof Fx.Unary u) {
      fx(u.x(), out);
    } else if (e instanceof Fx.Binary b) {
      fx(b.a(), out);
      fx(b.b(), out);
    } else if (e instanceof Fx.Select s) {
      fx(s.cond(), out);
      fx(s.a(), out);
      fx(s.b(), out);
    } else if (e instanceof Fx.Fma f) {
      fx(f.a(), out);
      fx(f.b(), out);
      fx(f.c(), out);
    } else if (e instanceof Fx.OfInt i) {
      ix(i.value(), out);
    } else if (e instanceof Fx.Dropout d) {
      ix(d.row(), out);
      ix(d.index(), out);
    }
  }
}
