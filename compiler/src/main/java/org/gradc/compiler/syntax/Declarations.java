package org.gradc.compiler.syntax;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceSpan;

/**
 * The checks that need the whole file before anything is lowered: collects the {@code def}s into
 * the file's {@link Module} and the top-level names into {@link Global}s, reporting duplicates;
 * resolves every name in every def body (so a def that is never called is still checked); and finds
 * recursive defs, which could never be inlined.
 */
final class Declarations {
  private final Module module;
  private final Diagnostics diagnostics;
  private final Map<String, Global> globals = new LinkedHashMap<>();
  private final Map<Stmt.Def, Set<Stmt.Def>> calls = new LinkedHashMap<>();

  /** The name types use for the run-time batch size; no declaration may take it. */
  static final String RESERVED = "batch";

  private Declarations(Module module, Diagnostics diagnostics) {
    this.module = module;
    this.diagnostics = diagnostics;
  }

  /** Collects and checks the declarations of {@code program}; returns its top-level names. */
  static Map<String, Global> collect(Program program, Module module, Diagnostics diagnostics) {
    Declarations d = new Declarations(module, diagnostics);
    d.collect(program);
    for (Stmt s : program.statements()) {
      if (s instanceof Stmt.For loop) {
        d.checkLoop(loop, new LinkedHashMap<>());
      }
    }
    for (Stmt.Def def : module.defs().values()) {
      d.checkBody(def);
    }
    d.reportRecursion();
    return d.globals;
  }

  /**
   * Collects defs and top-level names in source order; the first of two equal names wins, so a
   * duplicate is always reported at the later one.
   */
  private void collect(Program program) {
    for (Stmt s : program.statements()) {
      collect(s);
    }
  }

  private void collect(Stmt s) {
    if (s instanceof Stmt.MemberBinding m) {
      family(m.name());
      return;
    }
    if (s instanceof Stmt.For loop) {
      for (Stmt inner : loop.body()) {
        if (inner instanceof Stmt.MemberBinding || inner instanceof Stmt.For) {
          collect(inner);
        }
      }
      return;
    }
    Ident name = null;
    String kind = null;
    if (s instanceof Stmt.Def def) {
      name = def.name();
    } else if (s instanceof Stmt.Const c) {
      name = c.name();
      kind = "a constant";
    } else if (s instanceof Stmt.Input i) {
      name = i.name();
      kind = "an input";
    } else if (s instanceof Stmt.Param p) {
      name = p.name();
      kind = p.state() ? "a state" : "a parameter";
    } else if (s instanceof Stmt.Binding b) {
      name = b.name();
      kind = "a binding";
    } else if (s instanceof Stmt.Output o && o.value() != null) {
      name = o.name();
      kind = "an output";
    }
    if (name == null) {
      return;
    }
    if (reserved(name, kind == null ? "a function" : kind)) {
      return; // not a global: `batch` keeps meaning the batch axis in the types below
    }
    Global first = globals.get(name.text());
    Stmt.Def def = module.defs().get(name.text());
    if (first != null) {
      duplicate(name, first.declared, first.kind);
    } else if (def != null) {
      duplicate(name, def.name(), "a function");
    } else if (s instanceof Stmt.Def d) {
      module.defs().put(name.text(), d);
    } else {
      globals.put(name.text(), new Global(name.text(), kind, name));
    }
  }

  /** Declares (at its first member binding) or extends an indexed name. */
  private void family(Ident name) {
    Global first = globals.get(name.text());
    Stmt.Def def = module.defs().get(name.text());
    if (first != null && first.family == null) {
      duplicate(name, first.declared, first.kind);
    } else if (def != null) {
      duplicate(name, def.name(), "a function");
    } else if (first == null) {
      Global g = new Global(name.text(), "an indexed name", name);
      g.family = new Family();
      globals.put(name.text(), g);
    }
  }

  /**
   * Checks a loop body once, however many times it runs: it holds only bindings, member bindings
   * and loops, and its plain names (the loop variable, the bindings) are new in their scope.
   *
   * @param outer the plain names of the enclosing loops, with where they are declared
   */
  private void checkLoop(Stmt.For loop, Map<String, Ident> outer) {
    Map<String, Ident> scope = new LinkedHashMap<>(outer);
    local(loop.variable(), scope, "a loop variable");
    for (Stmt s : loop.body()) {
      if (s instanceof Stmt.Binding b) {
        local(b.name(), scope, "a binding in the loop");
      } else if (s instanceof Stmt.For inner) {
        checkLoop(inner, scope);
      } else if (!(s instanceof Stmt.MemberBinding)) {
        SourceSpan keyword = firstWord(s);
        String what = SourceText.of(keyword);
        diagnostics.add(
            Diagnostic.error(
                Codes.DECLARATION_IN_LOOP,
                keyword,
                "`" + what + "` cannot be inside a loop",
                "a loop body holds bindings `z = ...`, indexed bindings `h[t + 1] = ...` and"
                    + " loops; declare `"
                    + what
                    + "` before or after the loop"));
      }
    }
  }

  /** The span of the keyword a statement starts with. */
  private static SourceSpan firstWord(Stmt s) {
    String text = s.span().file().text();
    int end = s.span().start();
    while (end < text.length() && Character.isLetter(text.charAt(end))) {
      end++;
    }
    return new SourceSpan(s.span().file(), s.span().start(), end);
  }

  /** A plain name declared in a loop: it must not repeat a top-level or enclosing name. */
  private void local(Ident name, Map<String, Ident> scope, String kind) {
    Global g = globals.get(name.text());
    Stmt.Def def = module.defs().get(name.text());
    Ident first = scope.putIfAbsent(name.text(), name);
    if (g != null) {
      duplicate(name, g.declared, g.kind);
    } else if (def != null) {
      duplicate(name, def.name(), "a function");
    } else if (first != null) {
      duplicate(name, first, "a name of the loop");
    }
  }

  private void duplicate(Ident again, Ident first, String firstKind) {
    diagnostics.add(
        Diagnostic.error(
            Codes.DUPLICATE,
            again.span(),
            "`" + again.text() + "` is already defined",
            "it is first defined as "
                + firstKind
                + " at line "
                + first.span().line()
                + "; choose another name"));
  }

  /** Resolves every name in a def's defaults and body, in the scope each one sees. */
  private void checkBody(Stmt.Def def) {
    Set<Stmt.Def> callees = new LinkedHashSet<>();
    calls.put(def, callees);
    TreeSet<String> scope = new TreeSet<>(globals.keySet());
    Map<String, Ident> own = new LinkedHashMap<>();
    for (Stmt.DefParam p : def.params()) {
      if (p.defaultValue() != null) {
        walk(p.defaultValue(), scope, callees);
      }
      reserved(p.name(), "a function's parameter");
      declareLocal(p.name(), own, "a parameter", scope);
    }
    walk(def.body(), scope, callees);
  }

  /**
   * Reports a declaration named {@code batch}, which the types reserve for the run-time batch size
   * (a {@code const batch = 4} would silently fix it); true if reported.
   */
  private boolean reserved(Ident name, String kind) {
    if (!name.text().equals(RESERVED)) {
      return false;
    }
    diagnostics.add(
        Diagnostic.error(
            Codes.RESERVED_NAME,
            name.span(),
            "`batch` is reserved for the batch axis and cannot name " + kind,
            "`batch` stands for the number of examples, chosen at run time, in an input's type"
                + " (`float[batch, 784]`)",
            "choose another name, such as `batch_size`; the batch size itself is set where the"
                + " model is trained (`gradc train --batch`)"));
    return true;
  }

  private void declareLocal(Ident name, Map<String, Ident> own, String kind, Set<String> scope) {
    Ident first = own.putIfAbsent(name.text(), name);
    if (first != null) {
      duplicate(name, first, kind);
    }
    scope.add(name.text());
  }

  private void walk(Expr e, TreeSet<String> scope, Set<Stmt.Def> callees) {
    if (e instanceof Expr.Name n) {
      if (!scope.contains(n.name())) {
        diagnostics.add(Lowering.unknownName(n, module, scope));
      }
    } else if (e instanceof Expr.Neg n) {
      walk(n.operand(), scope, callees);
    } else if (e instanceof Expr.Binary b) {
      walk(b.left(), scope, callees);
      walk(b.right(), scope, callees);
    } else if (e instanceof Expr.ListLit l) {
      for (int i = 0; i < l.elements().size(); i++) {
        Expr x = l.elements().get(i);
        if (i > 0 || !(x instanceof Expr.Name n && n.name().equals("batch"))) {
          walk(x, scope, callees); // `batch` may lead a shape: `zeros([batch, 16])`
        }
      }
    } else if (e instanceof Expr.Index ix) {
      walk(ix.target(), scope, callees);
      for (Expr.IndexItem item : ix.items()) {
        if (item instanceof Expr.IndexItem.At at) {
          walk(at.index(), scope, callees);
        } else if (item instanceof Expr.IndexItem.Range r) {
          walk(r.from(), scope, callees);
          walk(r.to(), scope, callees);
        }
      }
    } else if (e instanceof Expr.Call c) {
      for (Arg a : c.args()) {
        walk(a.value(), scope, callees);
      }
      Object f = module.function(c.callee().text());
      if (f == null) {
        diagnostics.add(
            Lowering.unknownFunction(c.callee(), module, scope.contains(c.callee().text())));
      } else if (f instanceof Module.Callee callee && callee.module() == module) {
        callees.add(callee.def());
      }
    }
  }

  /** Reports each cycle of defs calling each other once, at its first def. */
  private void reportRecursion() {
    Set<Stmt.Def> reported = new HashSet<>();
    for (Stmt.Def def : calls.keySet()) {
      if (reported.contains(def)) {
        continue;
      }
      List<Stmt.Def> path = cycleFrom(def, def, new ArrayList<>(), new HashSet<>());
      if (path == null) {
        continue;
      }
      reported.addAll(path);
      String message;
      if (path.size() == 1) {
        message = "`" + def.name().text() + "` calls itself";
      } else {
        StringBuilder chain = new StringBuilder();
        for (Stmt.Def d : path) {
          chain.append(d.name().text()).append(" -> ");
        }
        chain.append(def.name().text());
        message = "`" + def.name().text() + "` is recursive: " + chain;
      }
      diagnostics.add(
          Diagnostic.error(
              Codes.RECURSIVE_DEF,
              def.name().span(),
              message,
              "functions are inlined where they are called, so they cannot be recursive"));
    }
  }

  /** A path of calls from {@code at} back to {@code target}, or null. */
  private List<Stmt.Def> cycleFrom(
      Stmt.Def target, Stmt.Def at, List<Stmt.Def> path, Set<Stmt.Def> visited) {
    path.add(at);
    for (Stmt.Def next : calls.getOrDefault(at, Set.of())) {
      if (next == target) {
        return path;
      }
      if (visited.add(next)) {
        List<Stmt.Def> found = cycleFrom(target, next, path, visited);
        if (found != null) {
          return found;
        }
      }
    }
    path.remove(path.size() - 1);
    return null;
  }
}
