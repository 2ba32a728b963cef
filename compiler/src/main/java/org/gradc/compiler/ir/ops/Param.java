package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.TensorType;

/**
 * A trainable parameter: what autodiff differentiates the loss with respect to. A leaf: create it
 * with {@link Emit#param}, which also registers the graph role.
 */
public record Param(String paramName, TensorType type) implements Leaf {
  @Override
  public String name() {
    return "param(" + paramName + ")";
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    throw new UnsupportedOperationException("param " + paramName + " is fed by the evaluator");
  }
}
