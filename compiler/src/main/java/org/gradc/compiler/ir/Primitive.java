package org.gradc.compiler.ir;

import java.util.List;
import java.util.Map;
import org.gradc.compiler.diag.SourceSpan;

/**
 * A primitive as the language calls it ({@code exp(x)}, {@code sum(x, axis = 1)}, {@code a @ b}):
 * its name, its parameters, and how a call builds IR. The front end matches a call's positional and
 * named arguments against {@link #parameters()}, reports every mismatch itself, and only then calls
 * {@link #apply}. Registered in {@link Primitives}.
 */
public interface Primitive {

  /** The name a model calls it by. */
  String name();

  /** The parameters in positional order. */
  List<Parameter> parameters();

  /** One sentence for the language reference and for hints. */
  String summary();

  /**
   * Builds the IR for one call.
   *
   * @param args one entry per parameter, by name, already checked against its kind, with defaults
   *     filled in: a {@link Node} for {@code TENSOR}, an {@link Integer} for {@code INT}, a {@link
   *     Double} for {@code FLOAT}, a {@link Boolean} for {@code BOOL}, an {@code int[]} for {@code
   *     INT_LIST} and {@code SHAPE}, a {@code List<Node>} for {@code TENSORS}
   * @param at the span of the whole call, given to the nodes built
   * @throws ShapeError when the arguments' shapes or types do not fit
   */
  Node apply(Graph.Builder b, Map<String, Object> args, SourceSpan at) throws ShapeError;

  /** {@code sum(x, axis = -1, keepdims = false)}, for hints and docs. */
  default String signature() {
    StringBuilder s = new StringBuilder(name()).append('(');
    for (int i = 0; i < parameters().size(); i++) {
      if (i > 0) {
        s.append(", ");
      }
      s.append(parameters().get(i));
    }
    return s.append(')').toString();
  }
}
