package org.gradc.compiler.syntax;

import java.util.List;
import java.util.Map;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.Shape;

/**
 * Functions whose result is known at compile time, so they build no IR: {@code size(x, axis = -1)}
 * is the extent of one axis of a tensor, which lets a prelude cell find its hidden size ({@code
 * z[:, 0 .. size(h)]}).
 */
enum StaticFunction {
  SIZE;

  static StaticFunction lookup(String name) {
    return name.equals("size") ? SIZE : null;
  }

  String functionName() {
    return "size";
  }

  Signature signature() {
    return new Signature(
        "size",
        "function",
        List.of(new Signature.Slot("x", true), new Signature.Slot("axis", false)),
        "size(x, axis: int = -1)");
  }

  /**
   * The extent of the axis, or {@link Value.Invalid} after reporting why there is none.
   *
   * @param args the evaluated arguments by parameter name
   */
  Value apply(Map<String, Value> args, Map<String, Expr> exprs, SourceSpan at, Reporter sink) {
    Value x = args.get("x");
    Value axis = args.getOrDefault("axis", new Value.Int(-1));
    if (x == Value.Invalid.INSTANCE || axis == Value.Invalid.INSTANCE) {
      return Value.Invalid.INSTANCE;
    }
    if (!(x instanceof Value.Tensor t)) {
      sink.report(
          Diagnostic.error(
              Codes.ARG_KIND,
              exprs.get("x").span(),
              "`size` needs a tensor for `x`, but this is " + Value.describe(x),
              "the function is `" + signature().text() + "`"));
      return Value.Invalid.INSTANCE;
    }
    if (!(axis instanceof Value.Int a)) {
      sink.report(
          Diagnostic.error(
              Codes.ARG_KIND,
              exprs.get("axis").span(),
              "`size` needs an integer known at compile time for `axis`, but this is "
                  + Value.describe(axis),
              "the function is `" + signature().text() + "`"));
      return Value.Invalid.INSTANCE;
    }
    Shape s = t.node().shape();
    int k = a.value() < 0 ? a.value() + s.rank() : a.value();
    if (k < 0 || k >= s.rank() || s.dim(k) == Shape.BATCH) {
      sink.report(
          Diagnostic.error(
              Codes.BAD_INDEX,
              at,
              k >= 0 && k < s.rank()
                  ? "the batch extent of " + t.node().type() + " is not known at compile time"
                  : "axis " + a.value() + " is out of range for " + t.node().type()));
      return Value.Invalid.INSTANCE;
    }
    return new Value.Int(s.dim(k));
  }

  /** Where errors go (the caller locates them in inlined defs). */
  @FunctionalInterface
  interface Reporter {
    void report(Diagnostic d);
  }
}
