package org.gradc.compiler.codegen;

import java.util.LinkedHashMap;
import java.util.Map;
import org.gradc.compiler.ir.Graph;
import org.gradc.runtime.Init;
import org.gradc.runtime.OptimizerKind;

/**
 * What the code generator compiles: the optimized joint graph (forward and, when the model has a
 * loss, the gradient of every parameter), how each parameter is initialized, and the optimizer
 * fused into the training step with the hyper-parameter defaults the model file gave.
 *
 * @param hyper defaults in {@link OptimizerKind#hyperParameters()} order
 */
public record TrainingGraph(
    Graph graph, Map<String, Init> inits, OptimizerKind optimizer, double[] hyper) {
  public TrainingGraph {
    inits = new LinkedHashMap<>(inits);
    hyper = hyper.clone();
  }

  @Override
  public double[] hyper() {
    return hyper.clone();
  }
}
