package org.gradc.compiler.syntax;

import java.util.Arrays;
import java.util.List;
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

  /** {@code [batch, 128]}: a static shape led by the batch extent ({@code -1} in {@code dims}). */
  record BatchedShape(int[] dims) implements Value {
    public BatchedShape {
      dims = dims.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BatchedShape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
      return org.gradc.compiler.ir.Shape.of(dims).toString();
    }
  }

  /** Several tensors: the members {@code h[1 .. T]} of a family, or a list literal of tensors. */
  record Tensors(List<Node> nodes) implements Value {
    public Tensors {
      nodes = List.copyOf(nodes);
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
    if (v instanceof BatchedShape s) {
      return "the shape " + s;
    }
    if (v instanceof Tensors t) {
      return "a list of " + t.nodes().size() + " tensors";
    }
    return "an invalid value";
  }
}
