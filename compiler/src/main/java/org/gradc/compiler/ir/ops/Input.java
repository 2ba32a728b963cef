package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.TensorType;

/**
 * A model input (features or labels), fed at run time. A leaf: create it with {@link Emit#input},
 * which also registers the graph role. No gradient flows into inputs.
 */
public record Input(String inputName, TensorType type) implements Leaf {
  @Override
  public String name() {
    return "input(" + inputName + ")";
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    throw new UnsupportedOperationException("input " + inputName + " is fed by the evaluator");
  }
}
