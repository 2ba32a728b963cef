package org.gradc.compiler.syntax;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceSpan;

/**
 * Matches a call's positional and named arguments against a {@link Signature}: the one place that
 * decides which argument goes to which parameter, for primitives, {@code def}s, initializers and
 * optimizers alike. Every mismatch is reported with the signature in a hint.
 */
final class ArgumentMatcher {
  private ArgumentMatcher() {}

  /**
   * The arguments by parameter name (parameters left to their defaults are absent), or null when
   * the arguments do not fit; then every problem has been reported to {@code sink}.
   *
   * @param callSpan where to report a missing argument
   */
  static Map<String, Arg> match(
      Signature sig, List<Arg> args, SourceSpan callSpan, Consumer<Diagnostic> sink) {
    Map<String, Arg> bound = new LinkedHashMap<>();
    boolean ok = true;
    boolean sawNamed = false;
    int positional = 0;
    String hint = "the " + sig.what() + " is `" + sig.text() + "`";
    for (Arg a : args) {
      if (!a.isNamed()) {
        if (sawNamed) {
          sink.accept(
              Diagnostic.error(
                  Codes.POSITIONAL_AFTER_NAMED,
                  a.span(),
                  "a positional argument cannot follow named arguments",
                  "put positional arguments first, or name this one; " + hint));
          ok = false;
          continue;
        }
        if (positional >= sig.slots().size()) {
          if (positional == sig.slots().size()) {
            sink.accept(
                Diagnostic.error(
                    Codes.TOO_MANY_ARGS,
                    a.span(),
                    "`"
                        + sig.name()
                        + "` takes "
                        + (sig.slots().stream().allMatch(Signature.Slot::required)
                            ? ""
                            : "at most ")
                        + count(sig.slots().size())
                        + " but "
                        + args.stream().filter(x -> !x.isNamed()).count()
                        + " were given",
                    hint));
          }
          positional++;
          ok = false;
          continue;
        }
        bound.put(sig.slots().get(positional).name(), a);
        positional++;
        continue;
      }
      sawNamed = true;
      String name = a.name().text();
      if (!sig.names().contains(name)) {
        String near = Suggestions.nearest(name, sig.names());
        String message = "`" + sig.name() + "` has no parameter `" + name + "`";
        List<String> hints = new ArrayList<>();
        if (near != null) {
          hints.add("did you mean `" + near + "`?");
        }
        hints.add(hint);
        String reduction = REDUCTIONS.get(sig.name());
        if (reduction != null && REDUCTION_PARAMETERS.contains(name)) {
          hints.add(reduction);
        }
        sink.accept(
            Diagnostic.error(
                Codes.UNKNOWN_ARG, a.name().span(), message, hints.toArray(String[]::new)));
        ok = false;
        continue;
      }
      if (bound.containsKey(name)) {
        sink.accept(
            Diagnostic.error(
                Codes.DUPLICATE_ARG,
                a.span(),
                "the argument `" + name + "` is given twice",
                "remove one; " + hint));
        ok = false;
        continue;
      }
      bound.put(name, a);
    }
    if (!ok) {
      return null;
    }
    for (Signature.Slot s : sig.slots()) {
      if (s.required() && !bound.containsKey(s.name())) {
        String message = "missing argument `" + s.name() + "` in this call of `" + sig.name() + "`";
        String reduction = REDUCTIONS.get(sig.name());
        sink.accept(
            reduction != null && args.size() == 1
                ? Diagnostic.error(Codes.MISSING_ARG, callSpan, message, hint, reduction)
                : Diagnostic.error(Codes.MISSING_ARG, callSpan, message, hint));
        return null;
      }
    }
    return bound;
  }

  /**
   * Elementwise functions people call with one argument, or with a reduction's {@code axis}, when
   * they mean a reduction.
   */
  private static final Map<String, String> REDUCTIONS =
      Map.of(
          "max", "`max(a, b)` is elementwise; the maximum over axes is `amax(x, axes = ...)`",
          "min", "`min(a, b)` is elementwise; the minimum over axes is `-amax(-x, axes = ...)`");

  /** The parameter names of a reduction, spelled as people write them. */
  private static final java.util.Set<String> REDUCTION_PARAMETERS =
      java.util.Set.of("axis", "axes", "dim", "keepdims", "keepdim");

  private static String count(int n) {
    return n == 1 ? "1 argument" : n + " arguments";
  }
}
