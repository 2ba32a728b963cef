package org.gradc.runtime;

import java.util.List;

/**
 * How a parameter is initialized: an {@link Initializer} and its arguments, as written in the model
 * ({@code = normal(0, 0.01)}).
 */
public record Init(Initializer initializer, List<Double> args) {
  public Init {
    args = List.copyOf(args);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(initializer.displayName());
    if (!args.isEmpty()) {
      s.append('(');
      for (int i = 0; i < args.size(); i++) {
        s.append(i > 0 ? ", " : "").append(args.get(i));
      }
      s.append(')');
    }
    return s.toString();
  }
}
