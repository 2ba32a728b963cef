package org.gradc.compiler.syntax;

import java.util.List;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;

/**
 * The front end's entry point: {@code .grad} text to a checked model whose forward graph has every
 * shape inferred, or to every error in the file.
 *
 * <p>Errors are collected, not thrown one at a time: a {@link CompileException} holds all errors
 * and warnings of the file, ordered by position, each rendered as {@code file:line:col:
 * error[CODE]: message} with the source line, a caret range and hints. Syntax errors stop before
 * the semantic checks (a half-parsed file would only produce follow-on errors).
 *
 * <p>Thread-safe: every call works on its own state; the prelude is parsed once and shared.
 */
public final class FrontEnd {
  private FrontEnd() {}

  /**
   * Checks a model and builds its forward graph.
   *
   * @param floatPrecision the type of every float value: {@link DType#F32} or {@link DType#F64}
   * @return the checked model; its {@link CheckedModel#warnings()} lists the warnings
   * @throws CompileException with every diagnostic (errors and warnings) when there is an error
   */
  public static CheckedModel check(SourceFile file, DType floatPrecision) throws CompileException {
    if (!floatPrecision.isFloat()) {
      throw new IllegalArgumentException("precision must be F32 or F64: " + floatPrecision);
    }
    Prelude prelude = Prelude.get();
    try {
      Program program = parse(file);
      return ModelChecker.check(program, prelude, floatPrecision);
    } catch (StackOverflowError e) {
      throw tooDeep(file);
    }
  }

  /**
   * Parsing and lowering recurse over the nesting of expressions; a machine-written model nested
   * thousands deep ends here rather than in a stack trace.
   */
  private static CompileException tooDeep(SourceFile file) {
    return new CompileException(
        List.of(
            Diagnostic.error(
                Codes.TOO_DEEP,
                new SourceSpan(file, 0, Math.min(1, file.text().length())),
                "this model is nested too deeply to compile",
                "split deeply nested expressions into several bindings or defs",
                "or give the JVM a larger stack, e.g. GRADC_JAVA_OPTS=-Xss64m")));
  }

  /** The names of the prelude's functions (docs/language.md, "The prelude"), in file order. */
  public static java.util.Set<String> preludeFunctions() {
    return java.util.Collections.unmodifiableSet(Prelude.get().module().defs().keySet());
  }

  /** {@link #check(SourceFile, DType)} in {@link DType#F32}. */
  public static CheckedModel check(SourceFile file) throws CompileException {
    return check(file, DType.F32);
  }

  /**
   * Parses a model without checking it.
   *
   * @throws CompileException with every syntax error
   */
  public static Program parse(SourceFile file) throws CompileException {
    SyntaxParser.Result r;
    try {
      r = SyntaxParser.parse(file);
    } catch (StackOverflowError e) {
      throw tooDeep(file);
    }
    if (r.program() == null) {
      throw new CompileException(r.diagnostics());
    }
    return r.program();
  }
}
