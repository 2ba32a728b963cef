package org.gradc.compiler.syntax;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.Severity;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.runtime.Init;
import org.gradc.runtime.Initializer;
import org.gradc.runtime.OptimizerKind;

/**
 * Checks a parsed model and lowers it to its forward graph, statement by statement in source order:
 * declarations become leaves, bindings and outputs are evaluated by {@link Lowering}, and the
 * model-level rules (one scalar float loss, known initializers and optimizer, types of parameters)
 * are checked here.
 */
final class ModelChecker {
  private final Program program;
  private final Diagnostics diagnostics;
  private final Module module;
  private final Map<String, Global> globals;
  private final Lowering lowering;
  private final Lowering.Env top;
  private final Map<String, Init> inits = new LinkedHashMap<>();
  private final Map<String, Node> values = new LinkedHashMap<>();
  private final Map<String, Stmt.Param> paramDecls = new LinkedHashMap<>();
  private final Map<String, Stmt.Input> inputDecls = new LinkedHashMap<>();
  private final Map<String, Ident> outputs = new LinkedHashMap<>();
  private Stmt.Loss lossDecl;
  private Node loss;
  private Stmt.Optimizer optimizerDecl;
  private CheckedModel.Optimizer optimizer;

  /**
   * Loop iterations unrolled so far, over all loops: each copies its body into the graph, so a
   * mistyped bound would otherwise exhaust the memory rather than fail.
   */
  private long unrolled;

  private static final long MAX_UNROLLED = 1_000_000;

  private ModelChecker(Program program, Prelude prelude, DType precision) {
    this.program = program;
    this.diagnostics = new Diagnostics();
    this.module = new Module(prelude.module());
    this.globals = Declarations.collect(program, module, diagnostics);
    Graph.Builder graph =
        Graph.builder().modelName(program.modelName().text()).precision(precision);
    this.lowering = new Lowering(graph, diagnostics, globals, prelude.file());
    this.top = new Lowering.Env(module, null, null);
  }

  /** The checked model, or a {@link CompileException} holding every error and warning. */
  static CheckedModel check(Program program, Prelude prelude, DType precision)
      throws CompileException {
    ModelChecker c = new ModelChecker(program, prelude, precision);
    return c.run();
  }

  private CheckedModel run() throws CompileException {
    Ident name = program.modelName();
    if (JavaWords.isReserved(name.text())) {
      diagnostics.add(
          Diagnostic.error(
              Codes.BAD_MODEL_NAME,
              name.span(),
              "`" + name.text() + "` cannot name a model: it is reserved in Java",
              "the model becomes a Java class of the same name; "
                  + "class names usually start with a capital: `model "
                  + Character.toUpperCase(name.text().charAt(0))
                  + name.text().substring(1)
                  + "`"));
    }
    for (Stmt s : program.statements()) {
      statement(s);
    }
    if (lossDecl == null) {
      diagnostics.add(
          Diagnostic.error(
              Codes.MISSING_LOSS,
              program.modelName().span(),
              "model `" + program.modelName().text() + "` has no loss",
              "add a statement such as `loss mean(cross_entropy(logits, y, classes = 10))`"));
    }
    if (diagnostics.hasErrors()) {
      // Unused-warnings would mostly repeat the errors: a use inside a failed expression is lost.
      throw new CompileException(diagnostics.sorted());
    }
    warnUnused();
    if (diagnostics.hasErrors()) {
      throw new CompileException(diagnostics.sorted());
    }
    if (optimizer == null) {
      optimizer = new CheckedModel.Optimizer(OptimizerKind.ADAM, Map.of());
    }
    Graph.Builder g = lowering.graph();
    g.loss(loss);
    if (g.modal()) {
      evaluationPass(g);
    }
    return new CheckedModel(
        program.modelName().text(), g.build(), inits, optimizer, diagnostics.warnings(), values);
  }

  /**
   * Lowers the model a second time in evaluation mode into the same graph (hash-consing shares
   * everything before the first mode-dependent call): the outputs become the evaluation-mode ones,
   * and the evaluation loss is recorded next to the training loss. Declarations, constants and the
   * optimizer are mode-independent and keep their first meaning. The first pass reported every
   * error, so this one's diagnostics (the same) are discarded.
   */
  private void evaluationPass(Graph.Builder g) {
    // the training-mode outputs stay a role of their own: what a training step's outputs are
    new java.util.LinkedHashMap<>(g.outputs()).forEach(g::trainingOutput);
    g.mode(Graph.Mode.EVAL);
    Lowering eval = new Lowering(g, new Diagnostics(), globals, lowering.preludeFile());
    for (Stmt s : program.statements()) {
      if (s instanceof Stmt.Binding b) {
        define(b.name(), eval.eval(b.value(), top));
      } else if (s instanceof Stmt.Output o) {
        Value v =
            o.value() == null
                ? eval.eval(new Expr.Name(o.name().span(), o.name().text()), top)
                : eval.eval(o.value(), top);
        if (o.value() != null) {
          define(o.name(), v);
        }
        if (v instanceof Value.Tensor t) {
          g.output(o.name().text(), t.node());
        }
      } else if (s instanceof Stmt.Loss l && l == lossDecl) {
        if (eval.eval(l.value(), top) instanceof Value.Tensor t) {
          if (t.node() != loss) {
            g.evalLoss(t.node());
          }
        }
      }
    }
    g.mode(Graph.Mode.TRAIN);
  }

  private void statement(Stmt s) {
    if (s instanceof Stmt.Const c) {
      Value v = lowering.eval(c.value(), top);
      if (!(v instanceof Value.Int || v instanceof Value.Real || v instanceof Value.Bool)) {
        if (v != Value.Invalid.INSTANCE) {
          diagnostics.add(
              Diagnostic.error(
                  Codes.BAD_CONST,
                  c.value().span(),
                  "a `const` must be a number known at compile time, but this is "
                      + Value.describe(v),
                  "use a binding `" + c.name().text() + " = ...` for computed tensors"));
        }
        v = Value.Invalid.INSTANCE;
      }
      define(c.name(), v);
    } else if (s instanceof Stmt.Input i) {
      inputDecls.put(i.name().text(), i);
      TensorType t = type(i.type(), true);
      define(i.name(), t == null ? Value.Invalid.INSTANCE : leaf(i.name(), t, true));
    } else if (s instanceof Stmt.Param p) {
      param(p);
    } else if (s instanceof Stmt.Binding b) {
      Value v = lowering.eval(b.value(), top);
      define(b.name(), v);
      if (v instanceof Value.Tensor t) {
        values.putIfAbsent(b.name().text(), t.node());
      }
    } else if (s instanceof Stmt.Output o) {
      output(o);
    } else if (s instanceof Stmt.Loss l) {
      loss(l);
    } else if (s instanceof Stmt.Optimizer o) {
      optimizer(o);
    } else if (s instanceof Stmt.MemberBinding m) {
      member(m, top);
    } else if (s instanceof Stmt.For f) {
      loop(f, top);
    }
  }

  /**
   * Unrolls a loop: its body is lowered once per value of the variable, each iteration in a scope
   * of its own (a copy of the enclosing one) for plain names. The first iteration with an error
   * ends the unrolling: later ones would mostly repeat it. What cannot be in a loop was reported by
   * {@link Declarations}.
   */
  private void loop(Stmt.For f, Lowering.Env env) {
    Integer from = lowering.staticInt(f.from(), env, "a loop bound");
    Integer to = lowering.staticInt(f.to(), env, "a loop bound");
    if (from == null || to == null) {
      markIncomplete(f);
      return;
    }
    unrolled += Math.max(0, (long) to - from);
    if (unrolled > MAX_UNROLLED) {
      diagnostics.add(
          Diagnostic.error(
              Codes.LOOP_TOO_LONG,
              f.from().span().to(f.to().span()),
              "this loop would unroll the model's loops past "
                  + MAX_UNROLLED
                  + " iterations in all ("
                  + from
                  + " .. "
                  + to
                  + " is "
                  + ((long) to - from)
                  + " of them)",
              "loops are unrolled into the graph at compile time, one copy of the body per"
                  + " iteration; is a bound too large?"));
      markIncomplete(f);
      return;
    }
    for (int t = from; t < to; t++) {
      Map<String, Value> locals =
          env.locals() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(env.locals());
      locals.put(f.variable().text(), new Value.Int(t));
      Lowering.Env inner = new Lowering.Env(env.module(), locals, null);
      int errors = diagnostics.errorCount();
      for (Stmt s : f.body()) {
        if (s instanceof Stmt.Binding b) {
          locals.put(b.name().text(), lowering.eval(b.value(), inner));
        } else if (s instanceof Stmt.MemberBinding m) {
          member(m, inner);
        } else if (s instanceof Stmt.For nested) {
          loop(nested, inner);
        }
      }
      if (diagnostics.errorCount() > errors) {
        markIncomplete(f);
        return;
      }
    }
  }

  /** Marks the indexed names a failed loop defines, so their missing members are not reported. */
  private void markIncomplete(Stmt.For f) {
    for (Stmt s : f.body()) {
      if (s instanceof Stmt.MemberBinding m) {
        Global g = globals.get(m.name().text());
        if (g != null && g.family != null) {
          g.family.incomplete = true;
        }
      } else if (s instanceof Stmt.For nested) {
        markIncomplete(nested);
      }
    }
  }

  /** {@code h[i] = value}: defines one member, once. */
  private void member(Stmt.MemberBinding m, Lowering.Env env) {
    Global g = globals.get(m.name().text());
    Integer index = lowering.staticInt(m.index(), env, "an index");
    Value v = lowering.eval(m.value(), env);
    if (g == null || g.family == null || index == null) {
      return; // a name clash, reported by Declarations, or a bad index, reported above
    }
    SourceSpan first = g.family.definedAt(index);
    if (first != null) {
      diagnostics.add(
          Diagnostic.error(
              Codes.MEMBER_REDEFINED,
              m.name().span().to(m.index().span()),
              "`" + m.name().text() + "[" + index + "]` is already defined",
              "it is defined at line "
                  + first.line()
                  + "; each member of an indexed name is defined once"));
      return;
    }
    g.family.define(index, v, m.span());
  }

  /** Sets a global's value, unless the name was a duplicate (then its first meaning stays). */
  private void define(Ident name, Value v) {
    Global g = globals.get(name.text());
    if (g != null && g.declared == name) {
      g.value = v;
    }
  }

  private Value leaf(Ident name, TensorType t, boolean input) {
    try {
      Emit e = new Emit(lowering.graph(), name.span());
      return new Value.Tensor(input ? e.input(name.text(), t) : e.param(name.text(), t));
    } catch (ShapeError e) {
      throw new IllegalStateException("a leaf has no shape to reject", e);
    }
  }

  /** The declared type, or null after reporting why it is not one. */
  private TensorType type(TypeRef ref, boolean batchAllowed) {
    List<Expr> dims = ref.dims();
    int[] extents = new int[dims.size()];
    boolean ok = true;
    for (int i = 0; i < extents.length; i++) {
      Expr d = dims.get(i);
      if (d instanceof Expr.Name n && n.name().equals("batch") && !globals.containsKey("batch")) {
        if (i != 0) {
          diagnostics.add(
              Diagnostic.error(
                  Codes.BATCH_NOT_LEADING,
                  d.span(),
                  "`batch` can only be the first extent",
                  "the batch size varies at run time, so it must lead: `float[batch, 784]`"));
          ok = false;
        } else if (!batchAllowed) {
          diagnostics.add(
              Diagnostic.error(
                  Codes.BATCHED_PARAM,
                  d.span(),
                  "a parameter cannot have the `batch` extent",
                  "parameters are shared by every example of a batch; only inputs are batched"));
          ok = false;
        } else {
          extents[i] = Shape.BATCH;
        }
        continue;
      }
      Value v = lowering.eval(d, top);
      if (v instanceof Value.Int n && n.value() > 0) {
        extents[i] = n.value();
      } else {
        if (v != Value.Invalid.INSTANCE) {
          diagnostics.add(
              Diagnostic.error(
                  Codes.BAD_DIMENSION,
                  d.span(),
                  "an extent must be a positive integer known at compile time, but this is "
                      + Value.describe(v),
                  "write a number, a `const`, arithmetic on them, or `batch` first"));
        }
        ok = false;
      }
    }
    if (!ok) {
      return null;
    }
    DType dtype = ref.isFloat() ? lowering.graph().precision() : DType.I32;
    return new TensorType(dtype, Shape.of(extents));
  }

  private void param(Stmt.Param p) {
    if (!p.state()) {
      paramDecls.put(p.name().text(), p);
    }
    boolean ok = true;
    if (!p.type().isFloat()) {
      diagnostics.add(
          Diagnostic.error(
              Codes.INT_WHERE_FLOAT,
              p.type().span(),
              (p.state() ? "state `" : "parameter `")
                  + p.name().text()
                  + "` must be float, not int",
              p.state()
                  ? "states hold running statistics, which are floats: `float[...]`"
                  : "parameters are trained by gradient descent, so they hold floats:"
                      + " `float[...]`"));
      ok = false;
    }
    TensorType t = type(p.type(), false);
    Init init = initializer(p);
    if (!ok || t == null || init == null) {
      define(p.name(), Value.Invalid.INSTANCE);
      return;
    }
    inits.put(p.name().text(), init);
    if (p.state()) {
      try {
        define(
            p.name(),
            new Value.Tensor(
                new Emit(lowering.graph(), p.name().span()).state(p.name().text(), t)));
      } catch (ShapeError e) {
        throw new IllegalStateException("a leaf has no shape to reject", e);
      }
      return;
    }
    define(p.name(), leaf(p.name(), t, false));
  }

  private Init initializer(Stmt.Param p) {
    Initializer kind = Initializer.byName(p.init().text());
    if (kind == null) {
      List<String> names = new ArrayList<>();
      for (Initializer i : Initializer.values()) {
        names.add(i.displayName());
      }
      String near = Suggestions.nearest(p.init().text(), names);
      List<String> hints = new ArrayList<>();
      if (near != null) {
        hints.add("did you mean `" + near + "`?");
      }
      hints.add("the initializers are " + String.join(", ", names));
      diagnostics.add(
          new Diagnostic(
              Severity.ERROR,
              Codes.UNKNOWN_INITIALIZER,
              "unknown initializer `" + p.init().text() + "`",
              p.init().span(),
              hints));
      return null;
    }
    Signature sig = Signature.of(kind);
    Map<String, Arg> bound =
        ArgumentMatcher.match(
            sig, p.initArgs(), p.init().span().to(p.span()), d -> diagnostics.add(initArgs(d)));
    if (bound == null) {
      return null;
    }
    List<Double> args = new ArrayList<>();
    boolean ok = true;
    for (String name : kind.parameters()) {
      Arg a = bound.get(name);
      Double v = staticNumber(a.value());
      if (v == null) {
        ok = false;
      } else {
        args.add(v);
      }
    }
    return ok ? new Init(kind, args) : null;
  }

  /** Matching errors of initializer arguments share one code: {@code E0204}. */
  private static Diagnostic initArgs(Diagnostic d) {
    return new Diagnostic(d.severity(), Codes.INITIALIZER_ARGS, d.message(), d.span(), d.hints());
  }

  /** A number known at compile time, or null after reporting why not. */
  private Double staticNumber(Expr e) {
    Value v = lowering.eval(e, top);
    if (v instanceof Value.Int i) {
      return (double) i.value();
    }
    if (v instanceof Value.Real r) {
      return r.value();
    }
    if (v instanceof Value.Bool b) {
      return b.value() ? 1.0 : 0.0;
    }
    if (v != Value.Invalid.INSTANCE) {
      diagnostics.add(
          Diagnostic.error(
              Codes.INITIALIZER_ARGS,
              e.span(),
              "this must be a number known at compile time, but it is " + Value.describe(v)));
    }
    return null;
  }

  private void output(Stmt.Output o) {
    Ident first = outputs.putIfAbsent(o.name().text(), o.name());
    if (first != null) {
      diagnostics.add(
          Diagnostic.error(
              Codes.DUPLICATE,
              o.name().span(),
              "`" + o.name().text() + "` is already an output",
              "it is first declared an output at line " + first.span().line()));
      return;
    }
    Value v =
        o.value() == null
            ? lowering.eval(new Expr.Name(o.name().span(), o.name().text()), top)
            : lowering.eval(o.value(), top);
    if (o.value() != null) {
      define(o.name(), v);
    }
    Node n = tensor(v, o.value() == null ? o.name().span() : o.value().span(), "an output");
    if (n != null) {
      lowering.graph().output(o.name().text(), n);
    }
  }

  /** The value as a node: a static number becomes a constant; a list or bool is an error. */
  private Node tensor(Value v, SourceSpan at, String what) {
    if (v instanceof Value.Tensor t) {
      return t.node();
    }
    try {
      if (v instanceof Value.Int i) {
        return new Emit(lowering.graph(), at).scalar(i.value(), lowering.graph().precision());
      }
      if (v instanceof Value.Real r) {
        return new Emit(lowering.graph(), at).scalar(r.value(), lowering.graph().precision());
      }
    } catch (ShapeError e) {
      throw new IllegalStateException("a scalar has no shape to reject", e);
    }
    if (v != Value.Invalid.INSTANCE) {
      diagnostics.add(
          Diagnostic.error(
              Codes.STATIC_WHERE_TENSOR,
              at,
              what + " must be a tensor, but this is " + Value.describe(v)));
    }
    return null;
  }

  private void loss(Stmt.Loss l) {
    if (lossDecl != null) {
      diagnostics.add(
          Diagnostic.error(
              Codes.SECOND_LOSS,
              l.span(),
              "a model has one loss, and it is already given",
              "the loss is declared at line "
                  + lossDecl.span().line()
                  + "; add the terms into one `loss` expression"));
      return;
    }
    lossDecl = l;
    Node n = tensor(lowering.eval(l.value(), top), l.value().span(), "the loss");
    if (n == null) {
      return;
    }
    if (!n.shape().isScalar()) {
      diagnostics.add(
          Diagnostic.error(
              Codes.LOSS_NOT_SCALAR,
              l.value().span(),
              "the loss must be a scalar, but this is " + n.type(),
              "reduce it to one number, e.g. `loss mean(...)` or `loss sum(...)`"));
      return;
    }
    if (!n.dtype().isFloat()) {
      diagnostics.add(
          Diagnostic.error(
              Codes.INT_WHERE_FLOAT,
              l.value().span(),
              "the loss must be a float, but this is " + n.type(),
              "a loss of integers has no gradient"));
      return;
    }
    loss = n;
  }

  private void optimizer(Stmt.Optimizer o) {
    if (optimizerDecl != null) {
      diagnostics.add(
          Diagnostic.error(
              Codes.SECOND_OPTIMIZER,
              o.span(),
              "a model has one optimizer, and it is already given",
              "the optimizer is declared at line " + optimizerDecl.span().line()));
      return;
    }
    optimizerDecl = o;
    OptimizerKind kind = OptimizerKind.byName(o.name().text());
    if (kind == null) {
      List<String> names = new ArrayList<>();
      for (OptimizerKind k : OptimizerKind.values()) {
        names.add(k.displayName());
      }
      String near = Suggestions.nearest(o.name().text(), names);
      List<String> hints = new ArrayList<>();
      if (near != null) {
        hints.add("did you mean `" + near + "`?");
      }
      hints.add("the optimizers are " + String.join(", ", names));
      diagnostics.add(
          new Diagnostic(
              Severity.ERROR,
              Codes.UNKNOWN_OPTIMIZER,
              "unknown optimizer `" + o.name().text() + "`",
              o.name().span(),
              hints));
      return;
    }
    Signature sig = Signature.of(kind);
    Map<String, Arg> bound =
        ArgumentMatcher.match(
            sig,
            o.args(),
            o.span(),
            d ->
                diagnostics.add(
                    new Diagnostic(
                        d.severity(), Codes.HYPER_PARAMETER, d.message(), d.span(), d.hints())));
    if (bound == null) {
      return;
    }
    Map<String, Double> written = new LinkedHashMap<>();
    for (Map.Entry<String, Arg> e : bound.entrySet()) {
      Value v = lowering.eval(e.getValue().value(), top);
      Double d = null;
      if (v instanceof Value.Int i) {
        d = (double) i.value();
      } else if (v instanceof Value.Real r) {
        d = r.value();
      } else if (v instanceof Value.Bool b) {
        d = b.value() ? 1.0 : 0.0;
      }
      if (d == null) {
        if (v != Value.Invalid.INSTANCE) {
          diagnostics.add(
              Diagnostic.error(
                  Codes.HYPER_PARAMETER,
                  e.getValue().value().span(),
                  "the hyper-parameter `"
                      + e.getKey()
                      + "` must be a number known at compile time, but this is "
                      + Value.describe(v),
                  "the optimizer is `" + sig.text() + "`"));
        }
        return;
      }
      written.put(e.getKey(), d);
    }
    optimizer = new CheckedModel.Optimizer(kind, written);
  }

  /** Warns about parameters and inputs that cannot influence what the model computes. */
  private void warnUnused() {
    Set<Node> live = new HashSet<>();
    Deque<Node> work = new ArrayDeque<>();
    if (loss != null) {
      work.add(loss);
    }
    work.addAll(lowering.graph().build().outputs().values());
    while (!work.isEmpty()) {
      Node n = work.pop();
      if (live.add(n)) {
        work.addAll(n.inputs());
      }
    }
    Set<Node> lossLive = new HashSet<>();
    if (loss != null) {
      work.add(loss);
      while (!work.isEmpty()) {
        Node n = work.pop();
        if (lossLive.add(n)) {
          work.addAll(n.inputs());
        }
      }
    }
    for (Stmt.Param p : paramDecls.values()) {
      Global g = globals.get(p.name().text());
      if (g == null || !(g.value instanceof Value.Tensor t) || g.declared != p.name()) {
        continue;
      }
      if (!g.used) {
        diagnostics.add(
            Diagnostic.warning(
                Codes.UNUSED_PARAM,
                p.name().span(),
                "parameter `" + p.name().text() + "` is never used",
                "remove it, or use it in the model"));
      } else if (loss != null && !lossLive.contains(t.node())) {
        diagnostics.add(
            Diagnostic.warning(
                Codes.UNUSED_PARAM,
                p.name().span(),
                "parameter `"
                    + p.name().text()
                    + "` does not affect the loss, so it is never trained",
                "remove it, or use it in the computation of the loss"));
      }
    }
    for (Stmt.Input i : inputDecls.values()) {
      Global g = globals.get(i.name().text());
      if (g != null && g.declared == i.name() && !g.used) {
        diagnostics.add(
            Diagnostic.warning(
                Codes.UNUSED_INPUT,
                i.name().span(),
                "input `" + i.name().text() + "` is never used",
                "remove it, or use it in the model"));
      }
    }
  }
}
