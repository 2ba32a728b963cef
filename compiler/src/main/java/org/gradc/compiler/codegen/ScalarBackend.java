package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scalar back end: plain loops of JVM arithmetic, shaped so that C2 unrolls and auto-vectorizes
 * them (counted int loops, contiguous innermost axis, arrays in locals). Unrolling and blocking
 * follow the {@link UnrollPolicy} it is given.
 */
final class ScalarBackend implements Backend {

  @Override
  public LoopKernel lower(Kernel kernel, UnrollPolicy policy) {
    List<LoopStmt> out = new ArrayList<>();
    lower(kernel, policy, out);
    return new LoopKernel(out);
  }

  private void lower(Kernel kernel, UnrollPolicy policy, List<LoopStmt> out) {
    if (!(kernel instanceof Kernel.Sequence) && kernel.note() != null && !kernel.note().isEmpty()) {
      out.add(new LoopStmt.Comment(kernel.note()));
    }
    kernel.match(
        new Kernel.Cases<Void>() {
          @Override
          public Void pointwise(Kernel.Pointwise p) {
            out.addAll(nest(axes(p.dims(), null, true), p.element(), policy, where(p.note())));
            return null;
          }

          @Override
          public Void reduction(Kernel.Reduction r) {
            ScalarBackend.reduction(r, policy, out);
            return null;
          }

          @Override
          public Void matmul(Kernel.Matmul m) {
            ScalarBackend.matmul(m, policy, out);
            return null;
          }

          @Override
          public Void sequence(Kernel.Sequence s) {
            for (Kernel part : s.parts()) {
              lower(part, policy, out);
            }
            return null;
          }

          @Override
          public Void loops(Kernel.Loops l) {
            out.addAll(Subst.ints(Map.of(ConvTiles.FROM, Ix.ZERO)).stmts(l.body()));
            return null;
          }
        });
  }

  /** The source position a note starts with ({@code file:line}), for loop comments. */
  private static String where(String note) {
    if (note == null) {
      return null;
    }
    int space = note.indexOf(' ');
    return space < 0 ? note : note.substring(0, space);
  }

  /** One axis of an iteration space: its variable in element bodies, and its extent. */
  private record Axis(String var, Ix extent) {}

  private static List<Axis> axes(List<Ix> dims, List<Boolean> select, boolean selected) {
    List<Axis> out = new ArrayList<>();
    for (int i = 0; i < dims.size(); i++) {
      if (select == null || select.get(i) == selected) {
        out.add(new Axis("a" + i, dims.get(i)));
      }
    }
    return out;
  }

  /**
   * {@code body} once for every index of {@code axes}: fully unrolled when the space is static and
   * small, else as nested loops (extent-1 axes become the constant 0).
   */
  private static List<LoopStmt> nest(
      List<Axis> axes, List<LoopStmt> body, UnrollPolicy policy, String note) {
    long total = 1;
    boolean fixed = true;
    for (Axis a : axes) {
      if (a.extent() instanceof Ix.Lit l) {
        total *= l.value();
      } else {
        fixed = false;
      }
    }
    if (fixed && policy.fullyUnroll(total)) {
      List<LoopStmt> out = new ArrayList<>();
      unrolled(axes, 0, new HashMap<>(), body, out);
      return out;
    }
    return loops(axes, 0, new HashMap<>(), body, note);
  }

  private static void unrolled(
      List<Axis> axes, int d, Map<String, Ix> at, List<LoopStmt> body, List<LoopStmt> out) {
    if (d == axes.size()) {
      out.addAll(Subst.ints(at).stmts(body));
      return;
    }
    int extent = ((Ix.Lit) axes.get(d).extent()).value();
    for (int i = 0; i < extent; i++) {
      at.put(axes.get(d).var(), Ix.lit(i));
      unrolled(axes, d + 1, at, body, out);
    }
    at.remove(axes.get(d).var());
  }

  private static List<LoopStmt> loops(
      List<Axis> axes, int d, Map<String, Ix> at, List<LoopStmt> body, String note) {
    if (d == axes.size()) {
      return Subst.ints(at).stmts(body);
    }
    Axis a = axes.get(d);
    if (a.extent() instanceof Ix.Lit l && l.value() == 1) {
      at.put(a.var(), Ix.ZERO);
      List<LoopStmt> inner = loops(axes, d + 1, at, body, note);
      at.remove(a.var());
      return inner;
    }
    String v = "i" + a.var().substring(1);
    at.put(a.var(), Ix.var(v));
    List<LoopStmt> inner = loops(axes, d + 1, at, body, note);
    at.remove(a.var());
    return List.of(new LoopStmt.For(v, Ix.ZERO, a.extent(), 1, inner, d == 0 ? note : null));
  }

  private static void reduction(Kernel.Reduction r, UnrollPolicy policy, List<LoopStmt> out) {
    if (!r.reducesSuffix()) {
      // accumulate in memory with the kept (contiguous) axis innermost: vectorizes
      for (Kernel part : r.inMemory().parts()) {
        Kernel.Pointwise pass = (Kernel.Pointwise) part;
        out.addAll(nest(axes(pass.dims(), null, true), pass.element(), policy, where(pass.note())));
      }
      return;
    }
    // dot-product form: the accumulator stays in a register
    List<Axis> kept = axes(r.dims(), r.reduced(), false);
    List<Axis> reduced = axes(r.dims(), r.reduced(), true);
    Fx acc = Fx.local("acc");
    List<LoopStmt> body = new ArrayList<>();
    body.add(new LoopStmt.Let("acc", r.identity()));
    body.addAll(
        nest(
            reduced,
            List.of(new LoopStmt.Let("acc", Fx.bin(r.op(), acc, r.element()))),
            policy,
            null));
    body.add(
        new LoopStmt.Store(
            r.out(), r.outIndex(), r.divisor() == null ? acc : Fx.div(acc, r.divisor())));
    out.addAll(nest(kept, body, policy, where(r.note())));
  }

  private static void matmul(Kernel.Matmul mm, UnrollPolicy policy, List<LoopStmt> out) {
    int rows = policy.matmulRows();
    if (mm.m() instanceof Ix.Lit l && l.value() < rows) {
      rows = 1;
    }
    Ix full = Ix.floor(mm.m(), rows);
    if (rows > 1) {
      out.add(
          new LoopStmt.For(
              "i", Ix.ZERO, full, rows, block(mm, Ix.var("i"), rows, policy), mm.note()));
      if (!(full instanceof Ix.Lit f && mm.m() instanceof Ix.Lit m && f.value() == m.value())) {
        out.add(
            new LoopStmt.For("i", full, mm.m(), 1, block(mm, Ix.var("i"), 1, policy), "rest rows"));
      }
    } else {
      out.add(
          new LoopStmt.For(
              "i", Ix.ZERO, mm.m(), 1, block(mm, Ix.var("i"), 1, policy), where(mm.note())));
    }
  }

  /** The code for output rows {@code i .. i + rows - 1}. */
  private static List<LoopStmt> block(Kernel.Matmul mm, Ix i, int rows, UnrollPolicy policy) {
    int n = mm.n();
    List<LoopStmt> body = new ArrayList<>();
    List<LoopStmt> zero = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      zero.add(new LoopStmt.Store(mm.c(), Ix.add(row(i, r, n), Ix.var("j")), Fx.c(0)));
    }
    body.addAll(columns(n, zero, policy));
    List<LoopStmt> step = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      Map<String, Ix> at = Map.of("a0", Ix.add(i, r), "a1", Ix.var("k"));
      step.add(new LoopStmt.Let("a" + r, Subst.ints(at).fx(mm.a())));
    }
    List<LoopStmt> saxpy = new ArrayList<>();
    saxpy.add(
        new LoopStmt.Let("bv", new Fx.Load(mm.b(), Ix.add(Ix.mul(Ix.var("k"), n), Ix.var("j")))));
    for (int r = 0; r < rows; r++) {
      Ix at = Ix.add(row(i, r, n), Ix.var("j"));
      saxpy.add(
          new LoopStmt.Store(
              mm.c(), at, new Fx.Fma(Fx.local("a" + r), Fx.local("bv"), new Fx.Load(mm.c(), at))));
    }
    step.addAll(columns(n, saxpy, policy));
    body.add(new LoopStmt.For("k", Ix.ZERO, mm.k(), 1, step, null));
    if (!mm.epilogue().isEmpty()) {
      for (int r = 0; r < rows; r++) {
        List<LoopStmt> e = new ArrayList<>();
        Ix at = Ix.add(row(i, r, n), Ix.var("j"));
        e.add(new LoopStmt.Let("acc", new Fx.Load(mm.c(), at)));
        e.addAll(Subst.ints(Map.of("a0", Ix.add(i, r), "a1", Ix.var("j"))).stmts(mm.epilogue()));
        body.addAll(columns(n, e, policy));
      }
    }
    return body;
  }

  private static Ix row(Ix i, int r, int n) {
    return Ix.mul(Ix.add(i, r), n);
  }

  /** {@code body} over {@code j = 0 .. n-1}: a contiguous loop, or unrolled when narrow. */
  private static List<LoopStmt> columns(int n, List<LoopStmt> body, UnrollPolicy policy) {
    if (policy.unrollColumns(n)) {
      List<LoopStmt> out = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        out.addAll(Subst.ints(Map.of("j", Ix.lit(j))).stmts(body));
      }
      return out;
    }
    return List.of(new LoopStmt.For("j", Ix.ZERO, Ix.lit(n), 1, body, null));
  }
}
