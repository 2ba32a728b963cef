package org.gradc.compiler.syntax;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gradc.compiler.diag.Diagnostic;

/**
 * The diagnostics of one compilation, in the order found, without repeats: a def inlined twice
 * reports the same mistake in its body once.
 */
final class Diagnostics {
  private record Key(String code, int start, int end, String message) {}

  private final List<Diagnostic> list = new ArrayList<>();
  private final Set<Key> seen = new HashSet<>();

  void add(Diagnostic d) {
    if (seen.add(new Key(d.code(), d.span().start(), d.span().end(), d.message()))) {
      list.add(d);
    }
  }

  int errorCount() {
    return (int) list.stream().filter(Diagnostic::isError).count();
  }

  boolean hasErrors() {
    return list.stream().anyMatch(Diagnostic::isError);
  }

  /** All diagnostics ordered by position (stable for equal positions). */
  List<Diagnostic> sorted() {
    List<Diagnostic> out = new ArrayList<>(list);
    out.sort((a, b) -> Integer.compare(a.span().start(), b.span().start()));
    return out;
  }

  List<Diagnostic> warnings() {
    List<Diagnostic> out = new ArrayList<>();
    for (Diagnostic d : sorted()) {
      if (!d.isError()) {
        out.add(d);
      }
    }
    return out;
  }
}
