package org.gradc.runtime;

/** The role a named tensor plays in a model. */
public enum TensorKind {
  /** Fed by the caller: features, or integer labels. Leading extent may be the batch. */
  INPUT,
  /** Trained. */
  PARAM,
  /** Returned by inference. */
  OUTPUT,
  /** ∂loss/∂param of the parameter of the same {@link TensorSpec#of() owner}. */
  GRADIENT,
  /** Optimizer state (momentum, Adam moments) of the parameter it belongs to. */
  STATE
}
