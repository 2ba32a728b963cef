package org.gradc.compiler.codegen;

import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.ir.Node;

/**
 * The graph has a node whose op has no code-generation rule ({@link OpLowering}); {@link
 * org.gradc.compiler.Compilation} reports it as the located error E0701 rather than a crash.
 */
public final class UnsupportedOpException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Diagnostic diagnostic;

  UnsupportedOpException(Node n) {
    super("the code generator has no rule for op " + n.op().name() + " (" + n + ")");
    this.diagnostic =
        Diagnostic.error(
            "E0701",
            n.span(),
            "the code generator has no rule for `" + n.op().name() + "`",
            "an op needs a lowering registered in codegen/OpLowerings (docs/architecture.md,"
                + " \"Adding a primitive\")");
  }

  /** The error, located at the node's source span. */
  public Diagnostic diagnostic() {
    return diagnostic;
  }
}
