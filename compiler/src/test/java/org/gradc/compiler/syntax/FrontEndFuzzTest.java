package org.gradc.compiler.syntax;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceFile;
import org.junit.jupiter.api.Test;

/**
 * Random mutations of the valid example models (deterministic seed): every one must end in a
 * checked model or in located errors that render; never another exception, a stack trace or a hang.
 */
class FrontEndFuzzTest {
  private static final int CASES = 10_000;
  private static final long SEED = 20261128L;
  private static final Pattern HEADLINE =
      Pattern.compile("fuzz\\.grad:\\d+:\\d+: (error|warning)\\[[EW]\\d{4}\\]: .+");

  private static final String[] SNIPPETS = {
    "(",
    ")",
    "[",
    "]",
    ",",
    "=",
    "+",
    "-",
    "*",
    "/",
    "@",
    "^",
    "<",
    "<=",
    "==",
    "!=",
    ":",
    "batch",
    "x",
    "y",
    "W1",
    "h",
    "logits",
    "def",
    "param",
    "input",
    "loss",
    "output",
    "model",
    "const",
    "optimizer",
    "float",
    "int",
    "float[",
    "int[",
    "0",
    "1",
    "-1",
    "2.5",
    "1e9",
    "1e-3",
    "99999999999",
    "$",
    ";",
    "/*",
    "*/",
    "//",
    "\n",
    " ",
    "\t",
    "µ",
    "{",
    "}",
    "softmax(",
    "sum(",
    "amax(",
    "one_hot(",
    "axes = ",
    "keepdims = true",
    "classes = ",
    "true",
    "false",
    "[0, 1]",
    "relu",
    "dense(",
    "stop_gradient(",
    "reshape(",
    "transpose(",
    "x @ x",
    "f(f(",
    "def f(a) = f(a)",
    "zeros",
    "normal(0, 1)",
    "adam(",
    "lr = ",
    "\"",
    "#"
  };

  @Test
  void mutatedModelsEndInLocatedErrorsOrSuccess() throws Exception {
    List<String> bases = new ArrayList<>();
    for (Path p : Corpus.files("models")) {
      bases.add(Corpus.source("models", p).text());
    }
    Random random = new Random(SEED);
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "fuzz");
              t.setDaemon(true);
              return t;
            });
    int failed = 0;
    int checked = 0;
    try {
      for (int i = 0; i < CASES; i++) {
        String text = bases.get(random.nextInt(bases.size()));
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
          text = mutate(text, random);
        }
        String input = text;
        Future<Boolean> outcome = executor.submit(() -> checkOne(input));
        try {
          if (outcome.get(10, TimeUnit.SECONDS)) {
            checked++;
          } else {
            failed++;
          }
        } catch (TimeoutException e) {
          outcome.cancel(true);
          fail("case " + i + " did not finish in 10 s:\n" + input);
        } catch (ExecutionException e) {
          throw new AssertionError(
              "case " + i + " threw " + e.getCause() + " on:\n" + input, e.getCause());
        }
      }
    } finally {
      executor.shutdownNow();
    }
    // Both outcomes must be exercised, or the mutations are too weak (or too strong) to mean much.
    assertTrue(checked > 100, "only " + checked + " mutants checked");
    assertTrue(failed > CASES / 2, "only " + failed + " mutants failed");
  }

  /** True when the model checked, false when it failed with good diagnostics; throws otherwise. */
  private static boolean checkOne(String text) {
    SourceFile file = new SourceFile("fuzz.grad", text);
    try {
      CheckedModel m = FrontEnd.check(file);
      assertTrue(m.graph().loss().shape().isScalar(), text);
      for (Diagnostic d : m.warnings()) {
        assertLocated(d, file, text);
      }
      return true;
    } catch (CompileException e) {
      assertTrue(e.errorCount() > 0, "a CompileException without errors:\n" + text);
      for (Diagnostic d : e.diagnostics()) {
        assertLocated(d, file, text);
      }
      return false;
    }
  }

  private static void assertLocated(Diagnostic d, SourceFile file, String text) {
    assertTrue(d.span().file() == file, () -> "diagnostic outside the model: " + d.headline());
    assertTrue(d.span().start() <= text.length() + 1, () -> "span past the end: " + d.headline());
    String rendered = d.render();
    String headline = rendered.substring(0, rendered.indexOf('\n'));
    assertTrue(HEADLINE.matcher(headline).matches(), () -> "bad headline: " + headline);
    assertTrue(
        !rendered.contains("mismatched input") && !rendered.contains("expecting {"),
        () -> "ANTLR's own words leaked: " + rendered);
  }

  private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z_0-9]*");
  private static final Pattern NUMBER = Pattern.compile("[0-9]+(\\.[0-9]+)?");

  static String mutate(String text, Random r) {
    if (text.isEmpty()) {
      return SNIPPETS[r.nextInt(SNIPPETS.length)];
    }
    int at = r.nextInt(text.length() + 1);
    switch (r.nextInt(8)) {
      case 0:
        {
          int end = Math.min(text.length(), at + 1 + r.nextInt(10));
          return text.substring(0, at) + text.substring(end);
        }
      case 1:
        return text.substring(0, at) + SNIPPETS[r.nextInt(SNIPPETS.length)] + text.substring(at);
      case 2:
      case 3:
      case 4:
        {
          List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
          int i = r.nextInt(lines.size());
          int j = r.nextInt(lines.size());
          if (r.nextInt(3) == 0) {
            lines.add(j, lines.get(i));
          } else if (r.nextInt(2) == 0) {
            lines.remove(i);
          } else {
            String t = lines.get(i);
            lines.set(i, lines.get(j));
            lines.set(j, t);
          }
          return String.join("\n", lines);
        }
      case 5:
        return replaceOne(text, IDENT, r, m -> pickMatch(text, IDENT, r));
      case 6:
        return replaceOne(
            text, NUMBER, r, m -> List.of("0", "1", "3", "100000", "2.5", "7").get(r.nextInt(6)));
      default:
        return text.substring(0, at);
    }
  }

  private static String pickMatch(String text, Pattern p, Random r) {
    List<String> all = new ArrayList<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      all.add(m.group());
    }
    return all.isEmpty() ? "x" : all.get(r.nextInt(all.size()));
  }

  private static String replaceOne(
      String text, Pattern p, Random r, java.util.function.Function<String, String> with) {
    List<int[]> spans = new ArrayList<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      spans.add(new int[] {m.start(), m.end()});
    }
    if (spans.isEmpty()) {
      return text;
    }
    int[] s = spans.get(r.nextInt(spans.size()));
    return text.substring(0, s[0]) + with.apply(text.substring(s[0], s[1])) + text.substring(s[1]);
  }
}
