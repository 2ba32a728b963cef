package org.gradc.compiler.syntax;

import java.util.Arrays;
import org.gradc.compiler.ir.Node;

/**
 * What an expression evaluates to while a model is lowered. Literals, constants and their
 * arithmetic stay static (known to the compiler: dimensions, axes, class counts) until an op needs
 * them as a tensor; everything else is an IR node. {@link Invalid} marks an expression that already
 * produced an error, so nothing built on it reports again.
 */
sealed interface Value {

  /** A graph value. */
  record Tensor(Node node) implements Value {}

  record Int(int value) implements Value {}

  record Real(double value) implements Value {}

  record Bool(boolean value) implements Value {}

  record IntList(int[] values) implements Value {
    public IntList {
      values = values.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof IntList l && Arrays.equals(values, l.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return Arrays.toString(values);
    }
  }

  /** The value of an expression that failed to check; its error is already reported. */
  enum Invalid implements Value {
    INSTANCE
  }

  /** How a value is described in messages: "a tensor float[batch, 10]", "the integer 3". */
  static String describe(Value v) {
    if (v instanceof Tensor t) {
      return "a tensor " + t.node().type();
    }
    if (v instanceof Int i) {
      return "the integer " + i.value();
    }
    if (v instanceof Real r) {
      return "the number " + r.value();
    }
    if (v instanceof Bool b) {
      return "the boolean " + b.value();
    }
    if (v instanceof IntList l) {
      return "the list " + l;
    }
    return "an invalid value";
  }
}
