package org.gradc.compiler.syntax;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.runtime.Init;
import org.gradc.runtime.OptimizerKind;

/**
 * A model that passed every check of the front end.
 *
 * @param name the model's name ({@code model FashionMlp})
 * @param graph the forward graph with its roles: inputs, params, outputs and the scalar loss, every
 *     node shape-inferred; parameters and inputs appear in declaration order
 * @param inits how each parameter is initialized, by name, in declaration order
 * @param optimizer the optimizer and its hyper-parameters
 * @param warnings the warnings found (for example unused parameters), already located
 * @param values the model's tensor bindings ({@code h = relu(dense(x, W1, b1))}), by name, in the
 *     order written: the layers whose shapes {@code gradc check} prints
 */
public record CheckedModel(
    String name,
    Graph graph,
    Map<String, Init> inits,
    Optimizer optimizer,
    List<Diagnostic> warnings,
    Map<String, Node> values) {

  public CheckedModel {
    inits = Collections.unmodifiableMap(new LinkedHashMap<>(inits));
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    warnings = List.copyOf(warnings);
  }

  /**
   * The optimizer of a model: {@code optimizer adam(lr = 0.001)}. A model without an {@code
   * optimizer} statement gets {@code adam} with its defaults.
   *
   * @param written the hyper-parameters given in the model, by name, in the order written (booleans
   *     such as {@code nesterov = true} as 1 and 0)
   */
  public record Optimizer(OptimizerKind kind, Map<String, Double> written) {
    public Optimizer {
      written = Collections.unmodifiableMap(new LinkedHashMap<>(written));
    }

    /** Every hyper-parameter's value, in {@link OptimizerKind#hyperParameters()} order. */
    public double[] values() {
      double[] v = new double[kind.hyperParameters().size()];
      for (int i = 0; i < v.length; i++) {
        OptimizerKind.HyperParameter h = kind.hyperParameters().get(i);
        v[i] = written.getOrDefault(h.name(), h.defaultValue());
      }
      return v;
    }
  }

  /** Number of trainable scalars: the sum of the parameters' sizes. */
  public long parameterCount() {
    long n = 0;
    for (Node p : graph.params().values()) {
      n += p.shape().size(1);
    }
    return n;
  }
}
