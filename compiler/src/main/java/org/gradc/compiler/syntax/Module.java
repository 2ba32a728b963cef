package org.gradc.compiler.syntax;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Primitives;

/**
 * The functions visible from one file: its own {@code def}s, then (for a model) the prelude's, then
 * the primitives. A model's {@code def} may shadow a prelude function or a primitive; the prelude's
 * own bodies always see the prelude, so shadowing never changes what a prelude function means.
 */
final class Module {
  private final Map<String, Stmt.Def> defs = new LinkedHashMap<>();
  private final Module parent;

  Module(Module parent) {
    this.parent = parent;
  }

  Map<String, Stmt.Def> defs() {
    return defs;
  }

  /**
   * What a call of {@code name} from this file means: a def, a primitive, a {@link StaticFunction},
   * or null.
   */
  Object function(String name) {
    Stmt.Def d = defs.get(name);
    if (d != null) {
      return new Callee(this, d);
    }
    if (parent != null) {
      return parent.function(name);
    }
    Primitive p = Primitives.lookup(name);
    return p != null ? p : StaticFunction.lookup(name);
  }

  /** A {@code def} with the module its body is resolved in. */
  record Callee(Module module, Stmt.Def def) {}

  boolean isPrelude() {
    return parent == null;
  }

  /** Every function name visible from this file, for suggestions. */
  TreeSet<String> functionNames() {
    TreeSet<String> names = parent == null ? new TreeSet<>() : parent.functionNames();
    names.addAll(defs.keySet());
    if (parent == null) {
      for (Primitive p : Primitives.all()) {
        names.add(p.name());
      }
      for (StaticFunction f : StaticFunction.values()) {
        names.add(f.functionName());
      }
    }
    return names;
  }
}
