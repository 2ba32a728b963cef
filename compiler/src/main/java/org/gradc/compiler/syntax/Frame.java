package org.gradc.compiler.syntax;

import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;

/**
 * One level of {@code def} inlining: which function is being inlined and the call that asked for
 * it. Errors inside prelude functions are reported at the nearest call written in the model,
 * because the prelude's text is not the user's to fix.
 */
record Frame(Module.Callee callee, SourceSpan callSpan, Frame parent) {

  boolean contains(Stmt.Def def) {
    for (Frame f = this; f != null; f = f.parent) {
      if (f.callee.def() == def) {
        return true;
      }
    }
    return false;
  }

  /** The innermost frame whose call is written outside {@code prelude}. */
  Frame callOutside(SourceFile prelude) {
    for (Frame f = this; f != null; f = f.parent) {
      if (f.callSpan.file() != prelude) {
        return f;
      }
    }
    return this;
  }
}
