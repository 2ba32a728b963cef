package org.gradc.compiler.syntax;

import java.util.Collection;

/** "Did you mean ...?": the closest known name by edit distance, when it is close enough. */
final class Suggestions {
  private Suggestions() {}

  /**
   * The candidate nearest to {@code name}, or null when none is within a third of the name's length
   * (at least one edit). Ties go to the first candidate. A candidate made of the initials of a
   * multi-word name ({@code lr} for {@code learning_rate}) wins outright.
   */
  static String nearest(String name, Collection<String> candidates) {
    String byInitials = initials(name);
    if (byInitials.length() > 1 && candidates.contains(byInitials)) {
      return byInitials; // learning_rate -> lr
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    int limit = Math.max(1, name.length() / 3);
    for (String c : candidates) {
      int d = distance(name.toLowerCase(), c.toLowerCase());
      if (d <= limit && d < bestDistance && !c.equals(name)) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }

  /** The first letter of each {@code _}-separated word: {@code weight_decay} gives {@code wd}. */
  private static String initials(String name) {
    StringBuilder s = new StringBuilder();
    for (String word : name.split("_")) {
      if (!word.isEmpty()) {
        s.append(word.charAt(0));
      }
    }
    return s.toString();
  }

  /** Levenshtein distance: insertions, deletions and substitutions each cost one. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
