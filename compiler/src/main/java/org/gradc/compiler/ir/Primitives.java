package org.gradc.compiler.ir;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The registry of primitives the language can call, by name. Operators are calls too: {@code a + b}
 * is {@code add(a, b)} (see {@link #forOperator}). Adding a primitive is one class and one line in
 * {@link #registerAll}.
 */
public final class Primitives {
  private static final Map<String, Primitive> BY_NAME = new LinkedHashMap<>();

  static {
    registerAll();
  }

  private Primitives() {}

  private static void registerAll() {
    // One line per primitive, e.g. register(new ops.Exp.Call()); filled in by the ops package.
  }

  static void register(Primitive p) {
    if (BY_NAME.putIfAbsent(p.name(), p) != null) {
      throw new IllegalStateException("primitive registered twice: " + p.name());
    }
  }

  /** The primitive called {@code name}, or {@code null}. */
  public static Primitive lookup(String name) {
    return BY_NAME.get(name);
  }

  public static Collection<Primitive> all() {
    return Collections.unmodifiableCollection(BY_NAME.values());
  }

  /**
   * The primitive an operator stands for: {@code + - * / @ ^} are {@code add sub mul div matmul
   * pow}; unary {@code -} is {@code neg}; {@code < <= > >= == !=} are {@code lt le gt ge eq ne}.
   */
  public static String forOperator(String operator, boolean unary) {
    if (unary) {
      if (operator.equals("-")) {
        return "neg";
      }
      throw new IllegalArgumentException("no unary operator " + operator);
    }
    return switch (operator) {
      case "+" -> "add";
      case "-" -> "sub";
      case "*" -> "mul";
      case "/" -> "div";
      case "@" -> "matmul";
      case "^" -> "pow";
      case "<" -> "lt";
      case "<=" -> "le";
      case ">" -> "gt";
      case ">=" -> "ge";
      case "==" -> "eq";
      case "!=" -> "ne";
      default -> throw new IllegalArgumentException("no operator " + operator);
    };
  }
}
