package org.gradc.compiler.syntax;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.gradc.compiler.diag.SourceFile;

/**
 * The standard prelude ({@code prelude.grad}, next to this class): functions such as softmax and
 * cross_entropy written in the language itself. Parsed and checked once, on first use; a broken
 * prelude is a bug of the compiler, not of the user, so it fails loudly.
 */
final class Prelude {
  private static final String RESOURCE = "prelude.grad";

  private final SourceFile file;
  private final Module module;

  private Prelude(SourceFile file, Module module) {
    this.file = file;
    this.module = module;
  }

  private static final class Holder {
    static final Prelude INSTANCE = load();
  }

  static Prelude get() {
    return Holder.INSTANCE;
  }

  SourceFile file() {
    return file;
  }

  /** The prelude's functions; parent of every model's module. */
  Module module() {
    return module;
  }

  private static Prelude load() {
    SourceFile file = new SourceFile("<prelude>", read());
    SyntaxParser.Result parsed = SyntaxParser.parse(file);
    if (parsed.program() == null) {
      throw new IllegalStateException("the prelude does not parse:\n" + render(parsed));
    }
    Module module = new Module(null);
    Diagnostics diagnostics = new Diagnostics();
    Declarations.collect(parsed.program(), module, diagnostics);
    for (Stmt s : parsed.program().statements()) {
      if (!(s instanceof Stmt.Def)) {
        throw new IllegalStateException("the prelude may only hold defs: " + s.span());
      }
    }
    if (!diagnostics.sorted().isEmpty()) {
      StringBuilder out = new StringBuilder();
      diagnostics.sorted().forEach(d -> out.append(d.render()));
      throw new IllegalStateException("the prelude has errors:\n" + out);
    }
    return new Prelude(file, module);
  }

  private static String render(SyntaxParser.Result r) {
    StringBuilder out = new StringBuilder();
    r.diagnostics().forEach(d -> out.append(d.render()));
    return out.toString();
  }

  private static String read() {
    try (InputStream in = Prelude.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
