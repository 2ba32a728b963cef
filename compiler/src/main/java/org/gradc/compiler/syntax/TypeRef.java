package org.gradc.compiler.syntax;

import java.util.List;
import org.gradc.compiler.diag.SourceSpan;

/**
 * A declared tensor type: {@code float[batch, 784]}, {@code int[batch]}, or {@code float} for a
 * scalar.
 *
 * @param isFloat {@code float} rather than {@code int}
 * @param dims the extents as written; a leading {@code batch} is an {@link Expr.Name}
 */
public record TypeRef(SourceSpan span, boolean isFloat, List<Expr> dims) {
  public TypeRef {
    dims = List.copyOf(dims);
  }
}
