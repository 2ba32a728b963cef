package org.gradc.compiler.syntax;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceFile;

/** Test helpers: the model files under src/test/resources, and what the front end says of them. */
final class Corpus {
  private Corpus() {}

  static Path resources(String dir) {
    try {
      return Path.of(Corpus.class.getResource("/" + dir).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Path> files(String dir) {
    try (Stream<Path> s = Files.list(resources(dir))) {
      return s.filter(p -> p.toString().endsWith(".grad")).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SourceFile source(String dir, Path file) {
    try {
      return new SourceFile(
          dir + "/" + file.getFileName(), Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SourceFile source(String text) {
    return new SourceFile("test.grad", text);
  }

  static CheckedModel check(String text) throws CompileException {
    return FrontEnd.check(source(text));
  }

  /** Every diagnostic (errors and warnings) rendered, whether or not the model checks. */
  static String render(SourceFile file) {
    try {
      CheckedModel m = FrontEnd.check(file);
      return m.warnings().stream().map(Diagnostic::render).collect(Collectors.joining());
    } catch (CompileException e) {
      return e.render();
    }
  }

  /** The diagnostics of a model that must fail. */
  static List<Diagnostic> errors(String text) {
    try {
      FrontEnd.check(source(text));
    } catch (CompileException e) {
      return e.diagnostics();
    }
    throw new AssertionError("expected errors, but the model checks:\n" + text);
  }
}
