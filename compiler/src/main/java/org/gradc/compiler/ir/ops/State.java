package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.TensorType;

/**
 * Model state ({@code state mu: float[32] = zeros}): a leaf like a parameter, but not trained —
 * autodiff gives it no gradient; the training step replaces it by its {@link
 * org.gradc.compiler.ir.Graph#updates() update}. Create it with {@link Emit#state}.
 */
public record State(String stateName, TensorType type) implements Leaf {
  @Override
  public String name() {
    return "state(" + stateName + ")";
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    throw new UnsupportedOperationException("state " + stateName + " is fed by the evaluator");
  }
}
