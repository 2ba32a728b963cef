package org.gradc.compiler.syntax;

import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.runtime.Initializer;
import org.gradc.runtime.OptimizerKind;

/**
 * What a callee accepts, for matching a call's arguments and for hints: a primitive, a {@code def},
 * an initializer or an optimizer.
 *
 * @param what "function", "initializer" or "optimizer", for messages
 * @param text the signature as shown in hints, e.g. {@code sum(x, axis: int_list = [-1])}
 */
record Signature(String name, String what, List<Slot> slots, String text) {

  /** One parameter: its name and whether a call must give it. */
  record Slot(String name, boolean required) {}

  Signature {
    slots = List.copyOf(slots);
  }

  List<String> names() {
    List<String> names = new ArrayList<>();
    for (Slot s : slots) {
      names.add(s.name());
    }
    return names;
  }

  static Signature of(Primitive p) {
    List<Slot> slots = new ArrayList<>();
    for (Parameter q : p.parameters()) {
      slots.add(new Slot(q.name(), q.required()));
    }
    return new Signature(p.name(), "function", slots, p.signature());
  }

  static Signature of(Stmt.Def def) {
    List<Slot> slots = new ArrayList<>();
    StringBuilder text = new StringBuilder(def.name().text()).append('(');
    for (Stmt.DefParam p : def.params()) {
      slots.add(new Slot(p.name().text(), p.defaultValue() == null));
      if (text.charAt(text.length() - 1) != '(') {
        text.append(", ");
      }
      text.append(p.name().text());
      if (p.defaultValue() != null) {
        SourceText.append(text.append(" = "), p.defaultValue().span());
      }
    }
    return new Signature(def.name().text(), "function", slots, text.append(')').toString());
  }

  static Signature of(Initializer init) {
    List<Slot> slots = new ArrayList<>();
    for (String p : init.parameters()) {
      slots.add(new Slot(p, true));
    }
    String text =
        init.parameters().isEmpty()
            ? init.displayName()
            : init.displayName() + "(" + String.join(", ", init.parameters()) + ")";
    return new Signature(init.displayName(), "initializer", slots, text);
  }

  static Signature of(OptimizerKind kind) {
    List<Slot> slots = new ArrayList<>();
    List<String> shown = new ArrayList<>();
    for (OptimizerKind.HyperParameter h : kind.hyperParameters()) {
      slots.add(new Slot(h.name(), false));
      shown.add(h.name() + " = " + Numbers.format(h.defaultValue()));
    }
    return new Signature(
        kind.displayName(),
        "optimizer",
        slots,
        kind.displayName() + "(" + String.join(", ", shown) + ")");
  }
}
