package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/** An op without inputs: its type is an attribute, and nothing flows back through it. */
public interface Leaf extends org.gradc.compiler.ir.Op {
  TensorType type();

  @Override
  default TensorType infer(List<TensorType> inputs) throws ShapeError {
    return type();
  }

  @Override
  default List<Node> vjp(Node out, Node cotangent, Graph.Builder b) {
    return List.of();
  }
}
