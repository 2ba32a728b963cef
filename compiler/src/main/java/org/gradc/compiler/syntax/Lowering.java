package org.gradc.compiler.syntax;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.Severity;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Primitives;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.ops.Emit;

/**
 * Evaluates expressions into {@link Value}s, building IR as it goes: static arithmetic is folded,
 * calls of primitives build nodes through {@link Primitive#apply} (whose shape rules are the only
 * shape rules: their {@link ShapeError}s become located diagnostics here), and calls of {@code
 * def}s are inlined. Errors are reported once: a failed subexpression yields {@link Value.Invalid},
 * which silences everything built on it.
 */
final class Lowering {
  /** Where names are looked up while evaluating: the file's functions and the def's locals. */
  record Env(Module module, Map<String, Value> locals, Frame frame) {}

  private final Graph.Builder graph;
  private final Diagnostics diagnostics;
  private final Map<String, Global> globals;
  private final SourceFile preludeFile;
  private final Indexing indexing;

  Lowering(
      Graph.Builder graph,
      Diagnostics diagnostics,
      Map<String, Global> globals,
      SourceFile preludeFile) {
    this.graph = graph;
    this.diagnostics = diagnostics;
    this.globals = globals;
    this.preludeFile = preludeFile;
    this.indexing = new Indexing(this, globals);
  }

  Graph.Builder graph() {
    return graph;
  }

  Value eval(Expr e, Env env) {
    if (e instanceof Expr.IntLit i) {
      return new Value.Int(i.value());
    }
    if (e instanceof Expr.FloatLit f) {
      return new Value.Real(f.value());
    }
    if (e instanceof Expr.BoolLit b) {
      return new Value.Bool(b.value());
    }
    if (e instanceof Expr.Name n) {
      return name(n, env);
    }
    if (e instanceof Expr.Neg n) {
      Value v = eval(n.operand(), env);
      if (v instanceof Value.Int i) {
        return i.value() == Integer.MIN_VALUE
            ? new Value.Real(-(double) i.value())
            : new Value.Int(-i.value());
      }
      if (v instanceof Value.Real r) {
        return new Value.Real(-r.value());
      }
      return primitive(
          Primitives.forOperator("-", true), List.of(v), List.of(n.operand()), n.span(), env);
    }
    if (e instanceof Expr.Binary b) {
      Value l = eval(b.left(), env);
      Value r = eval(b.right(), env);
      Value folded = StaticArithmetic.fold(b.op(), l, r);
      if (folded != null) {
        return folded;
      }
      return primitive(
          Primitives.forOperator(b.op(), false),
          List.of(l, r),
          List.of(b.left(), b.right()),
          b.span(),
          env);
    }
    if (e instanceof Expr.ListLit l) {
      return list(l, env);
    }
    if (e instanceof Expr.Index ix) {
      return indexing.index(ix, env);
    }
    return call((Expr.Call) e, env);
  }

  /**
   * The value of {@code e} as a static integer, or null after reporting why it is not one.
   *
   * @param what what the integer is for, as in "a loop bound"
   */
  Integer staticInt(Expr e, Env env, String what) {
    Value v = eval(e, env);
    if (v instanceof Value.Int i) {
      return i.value();
    }
    if (v != Value.Invalid.INSTANCE) {
      report(
          Diagnostic.error(
              Codes.NOT_STATIC_INTEGER,
              e.span(),
              what + " must be an integer known at compile time, but this is " + Value.describe(v),
              "use literals, `const`s, loop variables and arithmetic on them"),
          env);
    }
    return null;
  }

  private Value list(Expr.ListLit l, Env env) {
    int[] values = new int[l.elements().size()];
    boolean ok = true;
    boolean batched = values.length > 0 && isBatch(l.elements().get(0), env);
    Value first = null;
    if (batched) {
      values[0] = org.gradc.compiler.ir.Shape.BATCH;
    } else if (values.length > 0) {
      first = eval(l.elements().get(0), env);
      if (first instanceof Value.Tensor) {
        return tensors(l, first, env);
      }
    }
    for (int i = batched ? 1 : 0; i < values.length; i++) {
      Expr el = l.elements().get(i);
      Value v = i == 0 ? first : eval(el, env);
      if (v instanceof Value.Int n) {
        values[i] = n.value();
      } else {
        if (v != Value.Invalid.INSTANCE) {
          report(
              Diagnostic.error(
                  Codes.ARG_KIND,
                  el.span(),
                  "a list may only hold integers known at compile time, but this is "
                      + Value.describe(v),
                  "lists give static arguments such as axes: `sum(x, axis = [0, 1])`"),
              env);
        }
        ok = false;
      }
    }
    if (!ok) {
      return Value.Invalid.INSTANCE;
    }
    return batched ? new Value.BatchedShape(values) : new Value.IntList(values);
  }

  /** {@code batch} written where a shape may start: not shadowed by a value of that name. */
  private boolean isBatch(Expr e, Env env) {
    return e instanceof Expr.Name n
        && n.name().equals("batch")
        && (env.locals() == null || !env.locals().containsKey("batch"))
        && (env.module().isPrelude() || !globals.containsKey("batch"));
  }

  /** A list literal of tensors, such as the parts given to {@code stack}. */
  private Value tensors(Expr.ListLit l, Value first, Env env) {
    List<Node> nodes = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < l.elements().size(); i++) {
      Value v = i == 0 ? first : eval(l.elements().get(i), env);
      if (v instanceof Value.Tensor t) {
        nodes.add(t.node());
      } else {
        if (v != Value.Invalid.INSTANCE) {
          report(
              Diagnostic.error(
                  Codes.ARG_KIND,
                  l.elements().get(i).span(),
                  "a list of tensors may only hold tensors, but this is " + Value.describe(v)),
              env);
        }
        ok = false;
      }
    }
    return ok ? new Value.Tensors(nodes) : Value.Invalid.INSTANCE;
  }

  private Value name(Expr.Name n, Env env) {
    if (env.locals() != null && env.locals().containsKey(n.name())) {
      return env.locals().get(n.name());
    }
    if (!env.module().isPrelude()) {
      Global g = globals.get(n.name());
      if (g != null) {
        g.used = true;
        if (g.family != null) {
          report(Indexing.familyAsValue(n.span(), n.name()), env);
          return Value.Invalid.INSTANCE;
        }
        if (g.value == null) {
          report(
              Diagnostic.error(
                  Codes.USED_BEFORE_DEFINED,
                  n.span(),
                  "`" + n.name() + "` is used before it is defined",
                  "`"
                      + n.name()
                      + "` is defined at line "
                      + g.declared.span().line()
                      + "; statements run in order, so move its definition up"),
              env);
          return Value.Invalid.INSTANCE;
        }
        return g.value;
      }
    }
    report(unknownName(n, env.module(), localNames(env)), env);
    return Value.Invalid.INSTANCE;
  }

  private TreeSet<String> localNames(Env env) {
    TreeSet<String> names = new TreeSet<>();
    if (env.locals() != null) {
      names.addAll(env.locals().keySet());
    }
    if (!env.module().isPrelude()) {
      names.addAll(globals.keySet());
    }
    return names;
  }

  /**
   * The error for a name that is not a value in scope: {@code batch} outside a type, a function
   * used without a call, or an unknown name with the nearest known one.
   */
  static Diagnostic unknownName(Expr.Name n, Module module, TreeSet<String> values) {
    if (n.name().equals("batch")) {
      return Diagnostic.error(
          Codes.BATCH_AS_VALUE,
          n.span(),
          "`batch` is not a value",
          "`batch` may only lead the type of an input or a shape, as in"
              + " `input x: float[batch, 784]` or `zeros([batch, 128])`");
    }
    if (module.function(n.name()) != null) {
      return Diagnostic.error(
          Codes.FUNCTION_AS_VALUE,
          n.span(),
          "`" + n.name() + "` is a function, not a value",
          "call it: `" + n.name() + "(...)`");
    }
    if ((n.name().equals("same") || n.name().equals("valid")) && !values.contains(n.name())) {
      // TensorFlow's and PyTorch's padding strings; the language has no strings
      return Diagnostic.error(
          Codes.UNKNOWN_NAME,
          n.span(),
          "unknown name `" + n.name() + "`",
          n.name().equals("same")
              ? "\"same\" padding is spelled `conv2d_same(x, w, stride = ..., dilation = ...)`"
              : "\"valid\" padding is `padding = 0`, the default");
    }
    String near = Suggestions.nearest(n.name(), values);
    if (near != null) {
      return Diagnostic.error(
          Codes.UNKNOWN_NAME,
          n.span(),
          "unknown name `" + n.name() + "`",
          "did you mean `" + near + "`?");
    }
    return Diagnostic.error(Codes.UNKNOWN_NAME, n.span(), "unknown name `" + n.name() + "`");
  }

  /** The error for a call of something that is not a function. */
  static Diagnostic unknownFunction(Ident callee, Module module, boolean isValue) {
    if (isValue) {
      return Diagnostic.error(
          Codes.NOT_A_FUNCTION,
          callee.span(),
          "`" + callee.text() + "` is a value, not a function",
          "only `def`s, prelude functions and primitives can be called");
    }
    String near = Suggestions.nearest(callee.text(), module.functionNames());
    if (near != null) {
      return Diagnostic.error(
          Codes.UNKNOWN_FUNCTION,
          callee.span(),
          "unknown function `" + callee.text() + "`",
          "did you mean `" + near + "`?");
    }
    return Diagnostic.error(
        Codes.UNKNOWN_FUNCTION,
        callee.span(),
        "unknown function `" + callee.text() + "`",
        "docs/language.md lists the prelude functions and primitives");
  }

  /** The prelude's source file (nodes built inside it are attributed to the model's call). */
  SourceFile preludeFile() {
    return preludeFile;
  }

  private Value call(Expr.Call c, Env env) {
    List<Value> values = new ArrayList<>();
    for (Arg a : c.args()) {
      values.add(eval(a.value(), env));
    }
    Object f = env.module().function(c.callee().text());
    if (f == null) {
      boolean isValue =
          (env.locals() != null && env.locals().containsKey(c.callee().text()))
              || (!env.module().isPrelude() && globals.containsKey(c.callee().text()));
      report(unknownFunction(c.callee(), env.module(), isValue), env);
      return Value.Invalid.INSTANCE;
    }
    if (f instanceof Primitive p) {
      Map<String, Arg> bound = match(Signature.of(p), c.args(), c.span(), env);
      if (bound == null) {
        return Value.Invalid.INSTANCE;
      }
      return apply(p, byName(bound, c, values), exprs(bound), c.span(), env);
    }
    if (f instanceof StaticFunction sf) {
      Map<String, Arg> bound = match(sf.signature(), c.args(), c.span(), env);
      if (bound == null) {
        return Value.Invalid.INSTANCE;
      }
      return sf.apply(byName(bound, c, values), exprs(bound), c.span(), d -> report(d, env));
    }
    return inline((Module.Callee) f, c, values, env);
  }

  /** The evaluated arguments by parameter name ({@code values} is in the call's order). */
  private static Map<String, Value> byName(
      Map<String, Arg> bound, Expr.Call c, List<Value> values) {
    Map<String, Value> byName = new HashMap<>();
    for (Map.Entry<String, Arg> e : bound.entrySet()) {
      byName.put(e.getKey(), values.get(c.args().indexOf(e.getValue())));
    }
    return byName;
  }

  private static Map<String, Expr> exprs(Map<String, Arg> bound) {
    Map<String, Expr> exprs = new HashMap<>();
    for (Map.Entry<String, Arg> e : bound.entrySet()) {
      exprs.put(e.getKey(), e.getValue().value());
    }
    return exprs;
  }

  private Map<String, Arg> match(Signature sig, List<Arg> args, SourceSpan at, Env env) {
    return ArgumentMatcher.match(sig, args, at, d -> report(d, env));
  }

  /** A primitive applied to positional operands (operators). */
  private Value primitive(String name, List<Value> args, List<Expr> exprs, SourceSpan at, Env env) {
    Primitive p = Primitives.lookup(name);
    if (p == null) {
      throw new IllegalStateException("primitive `" + name + "` is not registered");
    }
    Map<String, Value> byName = new HashMap<>();
    Map<String, Expr> byExpr = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      byName.put(p.parameters().get(i).name(), args.get(i));
      byExpr.put(p.parameters().get(i).name(), exprs.get(i));
    }
    return apply(p, byName, byExpr, at, env);
  }

  /**
   * Converts each argument to what its parameter's kind needs (a static literal becomes a constant
   * node where a tensor is needed), fills in defaults, and builds the IR.
   */
  private Value apply(
      Primitive p, Map<String, Value> args, Map<String, Expr> exprs, SourceSpan at, Env env) {
    for (Value v : args.values()) {
      if (v == Value.Invalid.INSTANCE) {
        return v;
      }
    }
    DType literalType = graph.precision();
    boolean anyFloatTensor = false;
    boolean anyIntTensor = false;
    for (Value v : args.values()) {
      if (v instanceof Value.Tensor t) {
        anyFloatTensor |= t.node().dtype().isFloat();
        anyIntTensor |= t.node().dtype() == DType.I32;
      }
    }
    if (anyIntTensor && !anyFloatTensor) {
      literalType = DType.I32;
    }
    SourceSpan site = site(at, env);
    Map<String, Object> converted = new LinkedHashMap<>();
    boolean ok = true;
    for (Parameter q : p.parameters()) {
      Value v = args.get(q.name());
      if (v == null) {
        converted.put(q.name(), q.defaultValue());
        continue;
      }
      Object o = convert(q, v, literalType, site);
      if (o == null) {
        report(kindError(p, q, v, exprs.get(q.name()).span()), env);
        ok = false;
      } else {
        converted.put(q.name(), o);
      }
    }
    if (!ok) {
      return Value.Invalid.INSTANCE;
    }
    try {
      return new Value.Tensor(p.apply(graph, converted, site));
    } catch (ShapeError e) {
      report(new Diagnostic(Severity.ERROR, e.code(), e.getMessage(), at, e.hints()), env);
      return Value.Invalid.INSTANCE;
    }
  }

  /** The argument as {@link Primitive#apply} wants it for {@code q}, or null if it does not fit. */
  private Object convert(Parameter q, Value v, DType literalType, SourceSpan site) {
    switch (q.kind()) {
      case TENSOR:
        if (v instanceof Value.Tensor t) {
          return t.node();
        }
        if (v instanceof Value.Int i) {
          return scalar(i.value(), literalType, site);
        }
        if (v instanceof Value.Real r) {
          return scalar(r.value(), graph.precision(), site);
        }
        return null;
      case INT:
        return v instanceof Value.Int i ? (Object) i.value() : null;
      case FLOAT:
        if (v instanceof Value.Int i) {
          return (double) i.value();
        }
        return v instanceof Value.Real r ? (Object) r.value() : null;
      case BOOL:
        return v instanceof Value.Bool b ? (Object) b.value() : null;
      case INT_LIST:
        if (v instanceof Value.Int i) {
          return new int[] {i.value()};
        }
        return v instanceof Value.IntList l ? l.values() : null;
      case SHAPE:
        if (v instanceof Value.BatchedShape s) {
          return s.dims();
        }
        return v instanceof Value.IntList l ? l.values() : null;
      case TENSORS:
        if (v instanceof Value.Tensor t) {
          return List.of(t.node());
        }
        return v instanceof Value.Tensors t ? t.nodes() : null;
      default:
        return null;
    }
  }

  private Node scalar(double value, DType type, SourceSpan site) {
    try {
      return new Emit(graph, site).scalar(value, type);
    } catch (ShapeError e) {
      throw new IllegalStateException("a scalar literal has no shape to reject", e);
    }
  }

  private static Diagnostic kindError(Primitive p, Parameter q, Value v, SourceSpan at) {
    String wanted =
        switch (q.kind()) {
          case TENSOR -> "a tensor or a number";
          case INT -> "an integer known at compile time";
          case FLOAT -> "a number known at compile time";
          case BOOL -> "`true` or `false`";
          case INT_LIST -> "an integer or a list of integers known at compile time";
          case SHAPE -> "a shape such as `[batch, 128]` or `[16, 4]`";
          case TENSORS -> "several tensors, such as `h[1 .. T + 1]` or `[a, b]`";
        };
    String hint =
        q.kind() == Parameter.Kind.TENSOR || q.kind() == Parameter.Kind.TENSORS
            ? "the function is `" + p.signature() + "`"
            : "static arguments are literals, `const`s and arithmetic on them; the function is `"
                + p.signature()
                + "`";
    return Diagnostic.error(
        Codes.ARG_KIND,
        at,
        "`"
            + p.name()
            + "` needs "
            + wanted
            + " for `"
            + q.name()
            + "`, but this is "
            + Value.describe(v),
        hint);
  }

  /** Inlines a {@code def}: binds its parameters and evaluates its body. */
  private Value inline(Module.Callee callee, Expr.Call c, List<Value> values, Env env) {
    Stmt.Def def = callee.def();
    if (env.frame() != null && env.frame().contains(def)) {
      return Value.Invalid.INSTANCE; // reported once, at the def, by Declarations
    }
    Map<String, Arg> bound = match(Signature.of(def), c.args(), c.span(), env);
    if (bound == null) {
      return Value.Invalid.INSTANCE;
    }
    Frame frame = new Frame(callee, c.span(), env.frame());
    Map<String, Value> locals = new LinkedHashMap<>();
    Env inner = new Env(callee.module(), locals, frame);
    for (Stmt.DefParam p : def.params()) {
      Arg a = bound.get(p.name().text());
      Value v = a != null ? values.get(c.args().indexOf(a)) : eval(p.defaultValue(), inner);
      locals.put(p.name().text(), v);
    }
    return eval(def.body(), inner);
  }

  /** The span given to nodes built here: inside the prelude, the model's call of it. */
  SourceSpan site(SourceSpan at, Env env) {
    if (env.frame() == null || at.file() != preludeFile) {
      return at;
    }
    return env.frame().callOutside(preludeFile).callSpan();
  }

  /**
   * Reports a diagnostic found while evaluating in {@code env}. Inside the prelude it moves to the
   * model's call; inside a model's def it says which call was being inlined.
   */
  void report(Diagnostic d, Env env) {
    Frame frame = env.frame();
    if (frame == null) {
      diagnostics.add(d);
      return;
    }
    List<String> hints = new ArrayList<>(d.hints());
    SourceSpan span = d.span();
    if (span.file() == preludeFile) {
      Frame user = frame.callOutside(preludeFile);
      hints.add(
          0,
          "inside the prelude function `"
              + frame.callee().def().name().text()
              + "`, at `"
              + SourceText.of(d.span())
              + "`");
      span = user.callSpan();
      frame = user.parent();
    }
    if (frame != null) {
      hints.add(
          "while inlining the call of `"
              + frame.callee().def().name().text()
              + "` at line "
              + frame.callSpan().line()
              + ", column "
              + frame.callSpan().column());
    }
    diagnostics.add(new Diagnostic(d.severity(), d.code(), d.message(), span, hints));
  }
}
