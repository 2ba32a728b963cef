package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Substitutes int variables in loop-level code: how a back end places an element body (written over
 * axis variables {@code a0, a1, …}) inside its loops, unrolled copies included. Float locals can be
 * renamed too, so unrolled copies of a body do not share temporaries.
 */
final class Subst {
  private final Map<String, Ix> ints;
  private final Map<String, String> locals;

  Subst(Map<String, Ix> ints, Map<String, String> locals) {
    this.ints = ints;
    this.locals = locals;
  }

  static Subst ints(Map<String, Ix> ints) {
    return new Subst(ints, Map.of());
  }

  List<LoopStmt> stmts(List<LoopStmt> body) {
    List<LoopStmt> out = new ArrayList<>(body.size());
    for (LoopStmt s : body) {
      out.add(stmt(s));
    }
    return out;
  }

  LoopStmt stmt(LoopStmt s) {
    if (s instanceof LoopStmt.For f) {
      return new LoopStmt.For(f.var(), ix(f.lo()), ix(f.hi()), f.step(), stmts(f.body()), f.note());
    } else if (s instanceof LoopStmt.Store st) {
      return new LoopStmt.Store(st.array(), ix(st.index()), fx(st.value()));
    } else if (s instanceof LoopStmt.Let l) {
      return new LoopStmt.Let(local(l.name()), fx(l.value()));
    } else if (s instanceof LoopStmt.LetInt l) {
      return new LoopStmt.LetInt(l.name(), ix(l.value()));
    }
    return s;
  }

  private String local(String name) {
    return locals.getOrDefault(name, name);
  }

  Ix ix(Ix e) {
    if (e instanceof Ix.Var v) {
      Ix r = ints.get(v.name());
      return r == null ? e : r;
    } else if (e instanceof Ix.Add a) {
      return Ix.add(ix(a.a()), ix(a.b()));
    } else if (e instanceof Ix.Mul m) {
      return Ix.mul(ix(m.a()), m.factor());
    } else if (e instanceof Ix.Floor f) {
      return Ix.floor(ix(f.a()), f.multiple());
    } else if (e instanceof Ix.Clamp c) {
      return Ix.clamp(ix(c.a()), c.divisor(), c.lo(), c.hi());
    } else if (e instanceof Ix.Load l) {
      return new Ix.Load(l.array(), ix(l.index()));
    }
    return e;
  }

  Fx fx(Fx e) {
    if (e instanceof Fx.Load l) {
      return new Fx.Load(l.array(), ix(l.index()));
    } else if (e instanceof Fx.Local l) {
      return new Fx.Local(local(l.name()));
    } else if (e instanceof Fx.Unary u) {
      return new Fx.Unary(u.fn(), fx(u.x()));
    } else if (e instanceof Fx.Binary b) {
      return new Fx.Binary(b.fn(), fx(b.a()), fx(b.b()));
    } else if (e instanceof Fx.Select s) {
      return new Fx.Select(fx(s.cond()), fx(s.a()), fx(s.b()));
    } else if (e instanceof Fx.Fma f) {
      return new Fx.Fma(fx(f.a()), fx(f.b()), fx(f.c()));
    } else if (e instanceof Fx.OfInt i) {
      return new Fx.OfInt(ix(i.value()));
    } else if (e instanceof Fx.Dropout d) {
      return new Fx.Dropout(d.key(), d.rate(), ix(d.row()), d.rowSize(), ix(d.index()));
    }
    return e;
  }
}
