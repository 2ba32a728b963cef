package org.gradc.compiler.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The corpus of malformed models in {@code src/test/resources/malformed}: each {@code NN-name.grad}
 * must produce exactly the rendered diagnostics (message, position, caret, hints) in its {@code
 * NN-name.expected}. Run with {@code -Dgradc.regenerate=<path of the malformed source folder>} to
 * rewrite the expected files after a deliberate change, then review the diff.
 */
class MalformedCorpusTest {
  private static final String DIR = "malformed";

  @Test
  void corpusHasAtLeastFortyModels() {
    assertTrue(Corpus.files(DIR).size() >= 40, "corpus size " + Corpus.files(DIR).size());
  }

  @TestFactory
  Stream<DynamicTest> eachModelGivesItsExpectedDiagnostics() {
    String regenerate = System.getProperty("gradc.regenerate");
    return Corpus.files(DIR).stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file.getFileName().toString(),
                    () -> {
                      String actual = Corpus.render(Corpus.source(DIR, file));
                      assertFalse(actual.isEmpty(), "no diagnostic for " + file.getFileName());
                      String expectedName =
                          file.getFileName().toString().replace(".grad", ".expected");
                      if (regenerate != null) {
                        Files.writeString(
                            Path.of(regenerate, expectedName), actual, StandardCharsets.UTF_8);
                        return;
                      }
                      Path expected = file.resolveSibling(expectedName);
                      assertEquals(read(expected), actual, file.getFileName().toString());
                    }));
  }

  @Test
  void everyCodeOfTheFrontEndIsInTheCorpus() throws Exception {
    StringBuilder all = new StringBuilder();
    for (Path file : Corpus.files(DIR)) {
      all.append(
          read(file.resolveSibling(file.getFileName().toString().replace(".grad", ".expected"))));
    }
    for (java.lang.reflect.Field f : Codes.class.getDeclaredFields()) {
      if (f.getType() != String.class || f.getName().equals("TOO_DEEP")) {
        continue; // E0007 needs a model nested thousands deep: FrontEndTest has it
      }
      f.setAccessible(true);
      String code = (String) f.get(null);
      assertTrue(all.indexOf("[" + code + "]") >= 0, "no corpus model produces " + code);
    }
  }

  @Test
  void everyCorpusHeadlineNamesTheFileLineAndColumn() throws IOException {
    for (Path file : Corpus.files(DIR)) {
      String expected =
          read(file.resolveSibling(file.getFileName().toString().replace(".grad", ".expected")));
      List<String> headlines = expected.lines().filter(l -> l.startsWith(DIR + "/")).toList();
      assertFalse(headlines.isEmpty(), file.toString());
      for (String h : headlines) {
        assertTrue(
            h.matches(DIR + "/[^:]+\\.grad:\\d+:\\d+: (error|warning)\\[[EW]\\d{4}\\]: .+"), h);
      }
    }
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }
}
