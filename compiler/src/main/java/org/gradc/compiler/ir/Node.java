package org.gradc.compiler.ir;

import java.util.List;
import java.util.stream.Collectors;
import org.gradc.compiler.diag.SourceSpan;

/**
 * One value in SSA form: an op applied to input nodes, with its inferred type and the source span
 * it came from. Immutable; created only by {@link Graph.Builder}, which hash-conses nodes so equal
 * subexpressions are the same object. Equality is identity.
 */
public final class Node {
  private final int id;
  private final Op op;
  private final List<Node> inputs;
  private final TensorType type;
  private final SourceSpan span;

  Node(int id, Op op, List<Node> inputs, TensorType type, SourceSpan span) {
    this.id = id;
    this.op = op;
    this.inputs = List.copyOf(inputs);
    this.type = type;
    this.span = span;
  }

  /** Position in creation order; inputs always have smaller ids than their users. */
  public int id() {
    return id;
  }

  public Op op() {
    return op;
  }

  public List<Node> inputs() {
    return inputs;
  }

  public Node input(int i) {
    return inputs.get(i);
  }

  public TensorType type() {
    return type;
  }

  public Shape shape() {
    return type.shape();
  }

  public DType dtype() {
    return type.dtype();
  }

  public SourceSpan span() {
    return span;
  }

  /** {@code %7 = add(%3, %6) : float[batch, 256]}; a leaf is {@code %0 = input(x) : float[784]}. */
  @Override
  public String toString() {
    if (inputs.isEmpty()) {
      return "%" + id + " = " + op.name() + " : " + type;
    }
    String args = inputs.stream().map(n -> "%" + n.id).collect(Collectors.joining(", "));
    return "%" + id + " = " + op.name() + "(" + args + ") : " + type;
  }
}
