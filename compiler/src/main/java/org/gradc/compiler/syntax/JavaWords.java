package org.gradc.compiler.syntax;

import java.util.Set;

/**
 * Java's reserved words, literals and the restricted names that cannot name a type or a method: a
 * model is compiled to a class of its name, and the Maven plugin's typed API names methods after
 * the model's tensors, so both check names against this one list.
 */
public final class JavaWords {
  private static final Set<String> RESERVED =
      Set.of(
          "abstract",
          "assert",
          "boolean",
          "break",
          "byte",
          "case",
          "catch",
          "char",
          "class",
          "const",
          "continue",
          "default",
          "do",
          "double",
          "else",
          "enum",
          "extends",
          "final",
          "finally",
          "float",
          "for",
          "goto",
          "if",
          "implements",
          "import",
          "instanceof",
          "int",
          "interface",
          "long",
          "native",
          "new",
          "package",
          "private",
          "protected",
          "public",
          "return",
          "short",
          "static",
          "strictfp",
          "super",
          "switch",
          "synchronized",
          "this",
          "throw",
          "throws",
          "transient",
          "try",
          "void",
          "volatile",
          "while",
          "true",
          "false",
          "null",
          "var",
          "yield",
          "record",
          "sealed",
          "permits",
          "_");

  private JavaWords() {}

  /** Whether {@code name} cannot be used as a Java class or method name as it is. */
  public static boolean isReserved(String name) {
    return RESERVED.contains(name);
  }
}
