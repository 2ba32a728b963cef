package org.gradc.compiler.syntax;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.ops.Emit;

/**
 * Evaluates {@code target[...]}: a member of an indexed name ({@code h[t]}), a range of members
 * ({@code h[1 .. T + 1]}, for {@code stack}), or NumPy-style static indexing of a tensor. Tensor
 * indexing lowers to the existing ops, so it needs no gradient rule of its own: {@code x[:, 2 ..
 * 5]} is a slice, {@code x[:, t]} a one-element slice reshaped to drop the axis.
 */
final class Indexing {
  private final Lowering lowering;
  private final Map<String, Global> globals;

  Indexing(Lowering lowering, Map<String, Global> globals) {
    this.lowering = lowering;
    this.globals = globals;
  }

  static Diagnostic familyAsValue(SourceSpan at, String name) {
    return Diagnostic.error(
        Codes.FAMILY_MISUSED,
        at,
        "`" + name + "` is an indexed name: use one member, as in `" + name + "[0]`",
        "a range of members such as `" + name + "[1 .. 4]` can be given to `stack`");
  }

  Value index(Expr.Index ix, Lowering.Env env) {
    Global family = family(ix.target(), env);
    if (family != null) {
      family.used = true;
      return member(ix, family, env);
    }
    Value target = lowering.eval(ix.target(), env);
    if (target == Value.Invalid.INSTANCE) {
      return target;
    }
    if (!(target instanceof Value.Tensor t)) {
      lowering.report(
          Diagnostic.error(
              Codes.BAD_INDEX,
              ix.target().span(),
              "only tensors and indexed names can be indexed, but this is "
                  + Value.describe(target)),
          env);
      return Value.Invalid.INSTANCE;
    }
    return tensor(ix, t.node(), env);
  }

  /** The global family a target names, unless a local of the same name hides it. */
  private Global family(Expr target, Lowering.Env env) {
    if (!(target instanceof Expr.Name n)
        || env.module().isPrelude()
        || (env.locals() != null && env.locals().containsKey(n.name()))) {
      return null;
    }
    Global g = globals.get(n.name());
    return g != null && g.family != null ? g : null;
  }

  private Value member(Expr.Index ix, Global g, Lowering.Env env) {
    if (ix.items().size() != 1 || ix.items().get(0) instanceof Expr.IndexItem.All) {
      lowering.report(
          Diagnostic.error(
              Codes.FAMILY_MISUSED,
              ix.span(),
              "`" + g.name + "` is indexed by one integer or one range",
              "write `" + g.name + "[t]` for a member or `" + g.name + "[1 .. 4]` for several"),
          env);
      return Value.Invalid.INSTANCE;
    }
    Expr.IndexItem item = ix.items().get(0);
    if (item instanceof Expr.IndexItem.At at) {
      Integer i = lowering.staticInt(at.index(), env, "an index");
      return i == null ? Value.Invalid.INSTANCE : member(g, i, ix.span(), env);
    }
    Expr.IndexItem.Range r = (Expr.IndexItem.Range) item;
    Integer from = lowering.staticInt(r.from(), env, "the start of a range");
    Integer to = lowering.staticInt(r.to(), env, "the end of a range");
    if (from == null || to == null) {
      return Value.Invalid.INSTANCE;
    }
    if (from >= to) {
      lowering.report(
          Diagnostic.error(
              Codes.BAD_INDEX,
              r.span(),
              "the range " + from + " .. " + to + " is empty",
              "a range a .. b holds a, a + 1, ..., b - 1"),
          env);
      return Value.Invalid.INSTANCE;
    }
    List<Node> nodes = new ArrayList<>();
    for (int i = from; i < to; i++) {
      Value v = member(g, i, ix.span(), env);
      if (v == Value.Invalid.INSTANCE) {
        return v;
      }
      if (!(v instanceof Value.Tensor t)) {
        lowering.report(
            Diagnostic.error(
                Codes.BAD_INDEX,
                ix.span(),
                "`" + g.name + "[" + i + "]` is " + Value.describe(v) + ", not a tensor",
                "a range of members gives tensors, as to `stack`"),
            env);
        return Value.Invalid.INSTANCE;
      }
      nodes.add(t.node());
    }
    return new Value.Tensors(nodes);
  }

  private Value member(Global g, int i, SourceSpan at, Lowering.Env env) {
    Value v = g.family.get(i);
    if (v == null && g.family.incomplete) {
      return Value.Invalid.INSTANCE;
    }
    if (v == null) {
      lowering.report(
          Diagnostic.error(
              Codes.MEMBER_UNDEFINED,
              at,
              "`"
                  + g.name
                  + "["
                  + i
                  + "]` is not defined; `"
                  + g.name
                  + "` has "
                  + g.family.describe(),
              "members are defined by statements `" + g.name + "[i] = ...`, which run in order"),
          env);
      return Value.Invalid.INSTANCE;
    }
    return v;
  }

  /** {@code x[:, t]}, {@code x[:, 2 .. 5]}: slices, then one reshape dropping selected axes. */
  private Value tensor(Expr.Index ix, Node x, Lowering.Env env) {
    Shape s = x.shape();
    if (ix.items().size() > s.rank()) {
      lowering.report(
          Diagnostic.error(
              Codes.BAD_INDEX,
              ix.items().get(s.rank()).span(),
              "too many indices: "
                  + x.type()
                  + " has "
                  + s.rank()
                  + " axes, but "
                  + ix.items().size()
                  + " positions are given"),
          env);
      return Value.Invalid.INSTANCE;
    }
    int[] start = new int[s.rank()];
    int[] end = s.dims();
    boolean[] dropped = new boolean[s.rank()];
    for (int k = 0; k < ix.items().size(); k++) {
      Expr.IndexItem item = ix.items().get(k);
      if (item instanceof Expr.IndexItem.All) {
        continue;
      }
      if (s.dim(k) == Shape.BATCH) {
        lowering.report(
            Diagnostic.error(
                Codes.BAD_INDEX,
                item.span(),
                "the batch axis only takes `:`",
                "the batch size is known only at run time; index the other axes, as in `x[:, 0]`"),
            env);
        return Value.Invalid.INSTANCE;
      }
      int n = s.dim(k);
      if (item instanceof Expr.IndexItem.At at) {
        Integer i = lowering.staticInt(at.index(), env, "an index");
        if (i == null) {
          return Value.Invalid.INSTANCE;
        }
        int j = i < 0 ? i + n : i;
        if (j < 0 || j >= n) {
          return outOfRange(item, "index " + i, k, x, env);
        }
        start[k] = j;
        end[k] = j + 1;
        dropped[k] = true;
      } else {
        Expr.IndexItem.Range r = (Expr.IndexItem.Range) item;
        Integer a = lowering.staticInt(r.from(), env, "the start of a range");
        Integer b = lowering.staticInt(r.to(), env, "the end of a range");
        if (a == null || b == null) {
          return Value.Invalid.INSTANCE;
        }
        int ja = a < 0 ? a + n : a;
        int jb = b < 0 ? b + n : b;
        if (ja < 0 || jb > n || ja >= jb) {
          return outOfRange(item, "range " + a + " .. " + b, k, x, env);
        }
        start[k] = ja;
        end[k] = jb;
      }
    }
    Emit e = new Emit(lowering.graph(), lowering.site(ix.span(), env));
    try {
      Node r = x;
      List<Integer> kept = new ArrayList<>();
      for (int k = 0; k < s.rank(); k++) {
        if (start[k] != 0 || end[k] != s.dim(k)) {
          r = e.slice(r, k, start[k], end[k]);
        }
        if (!dropped[k]) {
          kept.add(s.dim(k) == Shape.BATCH ? Shape.BATCH : end[k] - start[k]);
        }
      }
      int[] dims = kept.stream().mapToInt(Integer::intValue).toArray();
      return new Value.Tensor(e.reshape(r, Shape.of(dims)));
    } catch (ShapeError err) {
      throw new IllegalStateException("checked indexing broke a shape rule", err);
    }
  }

  private Value outOfRange(Expr.IndexItem item, String what, int axis, Node x, Lowering.Env env) {
    int n = x.shape().dim(axis);
    lowering.report(
        Diagnostic.error(
            Codes.BAD_INDEX,
            item.span(),
            what + " is out of range for axis " + axis + " of " + x.type(),
            "axis "
                + axis
                + " has "
                + n
                + " elements: indices 0 to "
                + (n - 1)
                + ", or -"
                + n
                + " to -1 from the end; a range a .. b needs a < b"),
        env);
    return Value.Invalid.INSTANCE;
  }
}
