package org.gradc.compiler.syntax;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.gradc.compiler.diag.SourceSpan;

/**
 * The members of an indexed name ({@code h[0]}, {@code h[t + 1]}) defined so far, each once, by
 * static integer index. Members are set as their statements are lowered, in source order and
 * iteration by iteration, so a member read before its definition is reported like an undefined one.
 */
final class Family {
  private final TreeMap<Integer, Value> values = new TreeMap<>();
  private final TreeMap<Integer, SourceSpan> definedAt = new TreeMap<>();

  /**
   * Set when a loop that defines members stopped on an error: its missing members are consequences
   * of that error, so reading one reports nothing more.
   */
  boolean incomplete;

  /** The member at {@code index}, or null. */
  Value get(int index) {
    return values.get(index);
  }

  /** Where member {@code index} was defined, or null when it is not. */
  SourceSpan definedAt(int index) {
    return definedAt.get(index);
  }

  void define(int index, Value v, SourceSpan at) {
    values.put(index, v);
    definedAt.put(index, at);
  }

  /**
   * The defined indices as the language writes ranges, but inclusive as people read a list of
   * members: {@code 0 .. 16}, {@code 0 .. 3, 5}, or {@code no members yet}.
   */
  String describe() {
    if (values.isEmpty()) {
      return "no members yet";
    }
    List<String> runs = new ArrayList<>();
    int first = values.firstKey();
    int last = first;
    for (Map.Entry<Integer, Value> e : values.tailMap(first, false).entrySet()) {
      if (e.getKey() == last + 1) {
        last = e.getKey();
        continue;
      }
      runs.add(run(first, last));
      first = last = e.getKey();
    }
    runs.add(run(first, last));
    return String.join(", ", runs);
  }

  private static String run(int first, int last) {
    return first == last ? Integer.toString(first) : first + " .. " + last;
  }
}
