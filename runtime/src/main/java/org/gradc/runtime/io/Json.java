package org.gradc.runtime.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the safetensors header needs, written and read without dependencies. Values are
 * {@code Map<String, Object>} (insertion-ordered), {@code List<Object>}, {@code String}, {@code
 * Long} (integers that fit), {@code Double}, {@code Boolean} and {@code null}.
 *
 * <p>The reader is strict: no trailing commas, no duplicate keys, no comments, nesting at most
 * {@value #MAX_DEPTH} deep (so a hostile header cannot exhaust the stack), nothing but whitespace
 * after the value.
 */
final class Json {
  static final int MAX_DEPTH = 32;

  /** A syntax error at a character offset. */
  static final class ParseError extends Exception {
    ParseError(String message, int offset) {
      super(message + " at character " + offset);
    }
  }

  private final String s;
  private int pos;

  private Json(String s) {
    this.s = s;
  }

  static Object parse(String text) throws ParseError {
    Json p = new Json(text);
    p.space();
    Object v = p.value(0);
    p.space();
    if (p.pos != text.length()) {
      throw new ParseError("unexpected text after the JSON value", p.pos);
    }
    return v;
  }

  private void space() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private ParseError error(String message) {
    return new ParseError(message, pos);
  }

  private Object value(int depth) throws ParseError {
    if (depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH);
    }
    if (pos >= s.length()) {
      throw error("unexpected end of JSON");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character '" + c + "'");
    }
  }

  private Object literal(String word, Object v) throws ParseError {
    if (!s.startsWith(word, pos)) {
      throw error("unexpected character '" + s.charAt(pos) + "'");
    }
    pos += word.length();
    return v;
  }

  private Map<String, Object> object(int depth) throws ParseError {
    Map<String, Object> m = new LinkedHashMap<>();
    pos++;
    space();
    if (pos < s.length() && s.charAt(pos) == '}') {
      pos++;
      return m;
    }
    while (true) {
      space();
      if (pos >= s.length() || s.charAt(pos) != '"') {
        throw error("expected a string key");
      }
      int at = pos;
      String key = string();
      space();
      expect(':');
      space();
      Object v = value(depth + 1);
      if (m.containsKey(key)) {
        throw new ParseError("duplicate key \"" + key + "\"", at);
      }
      m.put(key, v);
      space();
      if (pos < s.length() && s.charAt(pos) == ',') {
        pos++;
        continue;
      }
      expect('}');
      return m;
    }
  }

  private List<Object> array(int depth) throws ParseError {
    List<Object> a = new ArrayList<>();
    pos++;
    space();
    if (pos < s.length() && s.charAt(pos) == ']') {
      pos++;
      return a;
    }
    while (true) {
      space();
      a.add(value(depth + 1));
      space();
      if (pos < s.length() && s.charAt(pos) == ',') {
        pos++;
        continue;
      }
      expect(']');
      return a;
    }
  }

  private void expect(char c) throws ParseError {
    if (pos >= s.length() || s.charAt(pos) != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private String string() throws ParseError {
    pos++;
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos++);
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        throw error("control character in string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char e = s.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (pos + 4 > s.length()) {
            throw error("bad \\u escape");
          }
          int v = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos++), 16);
            if (d < 0) {
              throw error("bad \\u escape");
            }
            v = v * 16 + d;
          }
          b.append((char) v);
        }
        default -> throw error("bad escape \\" + e);
      }
    }
  }

  private Object number() throws ParseError {
    int start = pos;
    if (s.charAt(pos) == '-') {
      pos++;
    }
    int digits = pos;
    while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
      pos++;
    }
    if (pos == digits || (s.charAt(digits) == '0' && pos - digits > 1)) {
      throw new ParseError("bad number", start);
    }
    boolean integer = true;
    if (pos < s.length() && s.charAt(pos) == '.') {
      integer = false;
      pos++;
      int f = pos;
      while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
        pos++;
      }
      if (pos == f) {
        throw new ParseError("bad number", start);
      }
    }
    if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
      integer = false;
      pos++;
      if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
        pos++;
      }
      int e = pos;
      while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
        pos++;
      }
      if (pos == e) {
        throw new ParseError("bad number", start);
      }
    }
    String text = s.substring(start, pos);
    if (integer) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException tooBig) {
        throw new ParseError("integer out of range", start);
      }
    }
    return Double.parseDouble(text);
  }

  // ---- writing ----

  /** Compact JSON for maps, lists, strings, integers (as Long/Integer) and booleans. */
  static String write(Object v) {
    StringBuilder b = new StringBuilder();
    write(v, b);
    return b.toString();
  }

  private static void write(Object v, StringBuilder b) {
    if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        b.append(first ? "" : ",");
        first = false;
        quote((String) e.getKey(), b);
        b.append(':');
        write(e.getValue(), b);
      }
      b.append('}');
    } else if (v instanceof List<?> l) {
      b.append('[');
      for (int i = 0; i < l.size(); i++) {
        b.append(i > 0 ? "," : "");
        write(l.get(i), b);
      }
      b.append(']');
    } else if (v instanceof String str) {
      quote(str, b);
    } else if (v instanceof Long || v instanceof Integer || v instanceof Boolean) {
      b.append(v);
    } else if (v == null) {
      b.append("null");
    } else {
      throw new IllegalArgumentException("cannot write " + v.getClass() + " as JSON");
    }
  }

  private static void quote(String s, StringBuilder b) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
