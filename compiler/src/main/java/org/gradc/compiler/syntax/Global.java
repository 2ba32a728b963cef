package org.gradc.compiler.syntax;

/**
 * A name declared at the top level of a model: a {@code const}, {@code input}, {@code param}, a
 * binding, a family of indexed bindings or a new {@code output}. Its value is set when its
 * statement is lowered; statements are lowered in order, so a name used before that point is
 * reported.
 */
final class Global {
  final String name;
  final String kind;
  final Ident declared;
  Value value;
  boolean used;

  /** For an indexed name ({@code h[0] = ...}): its members; null for a plain name. */
  Family family;

  Global(String name, String kind, Ident declared) {
    this.name = name;
    this.kind = kind;
    this.declared = declared;
  }
}
