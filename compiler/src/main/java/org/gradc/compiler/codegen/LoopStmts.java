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

  /**
   * The locals {@code body} reads but does not bind: scalar ({@link Fx.Local}) and int ({@link
   * Ix.Var}) names, each in order of first use. A name bound anywhere in {@code body} (by a {@code
   * Let}, {@code LetInt} or loop) counts as bound everywhere in it.
   */
  record Free(Set<String> scalars, Set<String> ints) {}

  /** {@link Free} of {@code body}. */
  static Free free(List<LoopStmt> body) {
    Set<String> scalars = new LinkedHashSet<>();
    Set<String> ints = new LinkedHashSet<>();
    Set<String> bound = new LinkedHashSet<>();
    for (LoopStmt s : body) {
      free(s, scalars, ints, bound);
    }
    scalars.removeAll(bound);
    ints.removeAll(bound);
    return new Free(scalars, ints);
  }

  private static void free(LoopStmt s, Set<String> scalars, Set<String> ints, Set<String> bound) {
    if (s instanceof LoopStmt.For f) {
      bound.add(f.var());
      freeIx(f.lo(), ints);
      freeIx(f.hi(), ints);
      for (LoopStmt b : f.body()) {
        free(b, scalars, ints, bound);
      }
    } else if (s instanceof LoopStmt.Store st) {
      freeIx(st.index(), ints);
      freeFx(st.value(), scalars, ints);
    } else if (s instanceof LoopStmt.Let l) {
      bound.add(l.name());
      freeFx(l.value(), scalars, ints);
    } else if (s instanceof LoopStmt.LetInt l) {
      bound.add(l.name());
      freeIx(l.value(), ints);
    }
  }

  private static void freeIx(Ix e, Set<String> ints) {
    if (e instanceof Ix.Var v) {
      ints.add(v.name());
    } else if (e instanceof Ix.Add a) {
      freeIx(a.a(), ints);
      freeIx(a.b(), ints);
    } else if (e instanceof Ix.Mul m) {
      freeIx(m.a(), ints);
    } else if (e instanceof Ix.Floor f) {
      freeIx(f.a(), ints);
    } else if (e instanceof Ix.Clamp c) {
      freeIx(c.a(), ints);
    } else if (e instanceof Ix.Load l) {
      freeIx(l.index(), ints);
    }
  }

  private static void freeFx(Fx e, Set<String> scalars, Set<String> ints) {
    if (e instanceof Fx.Local l) {
      scalars.add(l.name());
    } else if (e instanceof Fx.Load l) {
      freeIx(l.index(), ints);
    } else if (e instanceof Fx.Unary u) {
      freeFx(u.x(), scalars, ints);
    } else if (e instanceof Fx.Binary b) {
      freeFx(b.a(), scalars, ints);
      freeFx(b.b(), scalars, ints);
    } else if (e instanceof Fx.Select s) {
      freeFx(s.cond(), scalars, ints);
      freeFx(s.a(), scalars, ints);
      freeFx(s.b(), scalars, ints);
    } else if (e instanceof Fx.Fma f) {
      freeFx(f.a(), scalars, ints);
      freeFx(f.b(), scalars, ints);
      freeFx(f.c(), scalars, ints);
    } else if (e instanceof Fx.OfInt i) {
      freeIx(i.value(), ints);
    } else if (e instanceof Fx.Dropout d) {
      freeIx(d.row(), ints);
      freeIx(d.index(), ints);
    }
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
