package org.gradc.runtime;

import java.util.List;

/**
 * The optimizers that can be fused into a generated training step: their hyper-parameters (with
 * defaults, which a model's {@code optimizer adam(lr = 0.001)} overrides and which can be changed
 * at run time) and the state tensors they keep per parameter.
 *
 * <p>Update rules, for gradient g of parameter w at step t (1-based):
 *
 * <ul>
 *   <li>SGD: {@code g' = g + weight_decay·w; v = momentum·v + g'; w -= lr·(nesterov ? g' +
 *       momentum·v : v)} (with momentum 0 this is plain SGD; v is then not kept)
 *   <li>Adam: {@code g' = g + weight_decay·w; m = β1·m + (1-β1)·g'; v = β2·v + (1-β2)·g'²; w -=
 *       lr·(m/(1-β1^t)) / (sqrt(v/(1-β2^t)) + eps)}
 *   <li>AdamW: as Adam with weight_decay 0, then {@code w -= lr·weight_decay·w} applied to the
 *       weight before the Adam step (decoupled weight decay, as PyTorch's AdamW)
 * </ul>
 *
 * <p>Generated Adam and AdamW updates store a moment whose magnitude falls below 1e-30 as zero:
 * subnormal floats are an order of magnitude slower to compute with, and such a moment moves a
 * weight by less than 1e-22 per step.
 */
public enum OptimizerKind {
  SGD(
      "sgd",
      List.of(
          new HyperParameter("lr", 0.01),
          new HyperParameter("momentum", 0.0),
          new HyperParameter("nesterov", 0.0),
          new HyperParameter("weight_decay", 0.0)),
      List.of("velocity")),
  ADAM(
      "adam",
      List.of(
          new HyperParameter("lr", 0.001),
          new HyperParameter("beta1", 0.9),
          new HyperParameter("beta2", 0.999),
          new HyperParameter("eps", 1e-8),
          new HyperParameter("weight_decay", 0.0)),
      List.of("m", "v")),
  ADAMW(
      "adamw",
      List.of(
          new HyperParameter("lr", 0.001),
          new HyperParameter("beta1", 0.9),
          new HyperParameter("beta2", 0.999),
          new HyperParameter("eps", 1e-8),
          new HyperParameter("weight_decay", 0.01)),
      List.of("m", "v"));

  /** A named hyper-parameter with its default. Booleans (nesterov) are 0 or 1. */
  public record HyperParameter(String name, double defaultValue) {}

  private final String displayName;
  private final List<HyperParameter> hyperParameters;
  private final List<String> stateNames;

  OptimizerKind(String displayName, List<HyperParameter> hyper, List<String> stateNames) {
    this.displayName = displayName;
    this.hyperParameters = hyper;
    this.stateNames = stateNames;
  }

  public String displayName() {
    return displayName;
  }

  /** In the order of {@link Model#hyperParameters()}'s backing array. */
  public List<HyperParameter> hyperParameters() {
    return hyperParameters;
  }

  /** Index of a hyper-parameter, or -1. */
  public int indexOf(String hyperParameter) {
    for (int i = 0; i < hyperParameters.size(); i++) {
      if (hyperParameters.get(i).name().equals(hyperParameter)) {
        return i;
      }
    }
    return -1;
  }

  /** Per-parameter state tensors, named {@code param + "." + state} in the spec. */
  public List<String> stateNames() {
    return stateNames;
  }

  public static OptimizerKind byName(String name) {
    for (OptimizerKind k : values()) {
      if (k.displayName.equals(name)) {
        return k;
      }
    }
    return null;
  }
}
