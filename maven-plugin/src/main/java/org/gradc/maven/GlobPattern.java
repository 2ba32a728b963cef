package org.gradc.maven;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One Ant-style include or exclude pattern, matched against a path relative to the source root with
 * {@code /} separators, as Maven users know them: {@code *} matches within one folder name, {@code
 * ?} one character, and a {@code **} segment any number of folders (including none), so {@code
 * **}{@code /*.grad} matches {@code Xor.grad} as well as {@code org/example/Xor.grad}. A pattern
 * ending in {@code /} means everything under that folder. Matching is case-sensitive.
 */
final class GlobPattern {
  private final String text;
  private final Pattern regex;

  private GlobPattern(String text, Pattern regex) {
    this.text = text;
    this.regex = regex;
  }

  /** Parses {@code pattern}; backslashes are taken as folder separators, as Ant does. */
  static GlobPattern of(String pattern) {
    String p = pattern.trim().replace('\\', '/');
    if (p.endsWith("/")) {
      p = p + "**";
    }
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    return new GlobPattern(pattern, Pattern.compile(toRegex(p)));
  }

  static List<GlobPattern> all(List<String> patterns) {
    List<GlobPattern> out = new ArrayList<>();
    for (String p : patterns) {
      out.add(of(p));
    }
    return out;
  }

  boolean matches(String relativePath) {
    return regex.matcher(relativePath).matches();
  }

  static boolean anyMatches(List<GlobPattern> patterns, String relativePath) {
    for (GlobPattern p : patterns) {
      if (p.matches(relativePath)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return text;
  }

  private static String toRegex(String pattern) {
    StringBuilder re = new StringBuilder();
    String[] segments = pattern.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String seg = segments[i];
      boolean last = i == segments.length - 1;
      if (seg.equals("**")) {
        // Zero or more whole folders; as the last segment, everything below.
        re.append(last ? ".*" : "(?:[^/]*/)*");
        continue;
      }
      for (char c : seg.toCharArray()) {
        if (c == '*') {
          re.append("[^/]*");
        } else if (c == '?') {
          re.append("[^/]");
        } else {
          re.append(Pattern.quote(String.valueOf(c)));
        }
      }
      if (!last) {
        re.append('/');
      }
    }
    return re.toString();
  }
}
