package org.gradc.runtime;

import java.util.List;

/**
 * The parameter initializers a model can name. Each lists its arguments (with defaults) so the
 * compiler can check a model's {@code = normal(0, 0.01)} and the runtime can fill the tensor.
 * Fan-in/fan-out for Glorot and He are the first and last extents of a 2-D weight (rows = inputs,
 * as in {@code x @ W}); for a convolution kernel {@code [KH, KW, C_in / groups, C_out]} (any rank
 * of 3 or more) they use the receptive field, as Keras and PyTorch do: fan-in {@code KH·KW·C_in /
 * groups}, fan-out {@code KH·KW·C_out}; for a vector, 1 and its length.
 */
public enum Initializer {
  ZEROS("zeros"),
  ONES("ones"),
  CONSTANT("constant", "value"),
  UNIFORM("uniform", "low", "high"),
  NORMAL("normal", "mean", "std"),
  GLOROT_UNIFORM("glorot_uniform"),
  GLOROT_NORMAL("glorot_normal"),
  HE_UNIFORM("he_uniform"),
  HE_NORMAL("he_normal");

  private final String displayName;
  private final List<String> parameters;

  Initializer(String displayName, String... parameters) {
    this.displayName = displayName;
    this.parameters = List.of(parameters);
  }

  /** The name a model uses: {@code he_uniform}. */
  public String displayName() {
    return displayName;
  }

  /** Names of the arguments, in positional order; all are required. */
  public List<String> parameters() {
    return parameters;
  }

  /** The initializer a model calls {@code name}, or {@code null}. */
  public static Initializer byName(String name) {
    for (Initializer i : values()) {
      if (i.displayName.equals(name)) {
        return i;
      }
    }
    return null;
  }
}
