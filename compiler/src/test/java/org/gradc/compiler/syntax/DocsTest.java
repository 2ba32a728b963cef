package org.gradc.compiler.syntax;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Primitives;
import org.junit.jupiter.api.Test;

/** docs/errors.md explains every code the compiler can emit; docs/language.md every function. */
class DocsTest {
  private static final Path DOCS = Path.of("..", "docs");
  private static final Path SOURCES = Path.of("src", "main", "java");

  @Test
  void everyDiagnosticCodeIsExplainedInErrorsMd() throws Exception {
    String errors = Files.readString(DOCS.resolve("errors.md"));
    TreeSet<String> codes = new TreeSet<>();
    for (Field f : Codes.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        f.setAccessible(true);
        codes.add((String) f.get(null));
      }
    }
    Pattern literal = Pattern.compile("\"([EW]0\\d{3})\"");
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
        Matcher m = literal.matcher(Files.readString(p));
        while (m.find()) {
          codes.add(m.group(1));
        }
      }
    }
    assertTrue(codes.size() > 40, "found only " + codes);
    for (String code : codes) {
      assertTrue(
          errors.contains("\n### " + code + ": "),
          "docs/errors.md has no section `### " + code + ": ...` explaining it");
    }
  }

  @Test
  void everyPrimitiveAndPreludeFunctionIsInLanguageMd() throws IOException {
    String language = Files.readString(DOCS.resolve("language.md"));
    for (Primitive p : Primitives.all()) {
      assertTrue(
          language.contains("| `" + p.signature() + "` |"),
          "docs/language.md lacks the primitives table row for `" + p.signature() + "`");
    }
    for (String name : Prelude.get().module().defs().keySet()) {
      assertTrue(
          language.contains("| `" + name + "("),
          "docs/language.md lacks the prelude table row for `" + name + "`");
    }
  }

  /** README.md and docs/language.md quote the example model as it is, not a drifting copy. */
  @Test
  void docsQuoteTheExampleModelVerbatim() throws IOException {
    String model = Files.readString(org.gradc.compiler.Examples.FASHION_MLP);
    String block = "```\n" + model + (model.endsWith("\n") ? "" : "\n") + "```";
    for (Path doc : new Path[] {Path.of("..", "README.md"), DOCS.resolve("language.md")}) {
      assertTrue(
          Files.readString(doc).contains(block),
          doc
              + " must quote "
              + org.gradc.compiler.Examples.FASHION_MLP
              + " verbatim in a ``` block");
    }
  }
}
