package org.gradc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CheckCommandTest {
  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cl = GradcCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int status = cl.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  private static String model(String name) {
    try {
      return Path.of(CheckCommandTest.class.getResource("/models/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void summarizesTheFashionMlp() {
    Run r = run("check", org.gradc.compiler.Examples.FASHION_MLP.toString());
    assertEquals(0, r.status(), r.err());
    assertEquals("", r.err());
    String expected =
        "model FashionMlp  ("
            + org.gradc.compiler.Examples.FASHION_MLP
            + ")\n"
            + "  inputs\n"
            + "    x  float[batch, 784]\n"
            + "    y  int[batch]\n"
            + "  params\n"
            + "    W1  float[784, 256]       200,704  he_uniform\n"
            + "    b1  float[256]                256  zeros\n"
            + "    W2  float[256, 10]          2,560  glorot_uniform\n"
            + "    b2  float[10]                  10  zeros\n"
            + "  total parameters: 203,530\n"
            + "  values\n"
            + "    h       float[batch, 256]\n"
            + "    logits  float[batch, 10]\n"
            + "  outputs\n"
            + "    probs  float[batch, 10]\n"
            + "  loss: float[]\n"
            + "  optimizer: adam(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0)\n";
    assertEquals(expected, r.out());
  }

  /** Convolution and pooling check (printing each layer's shape), draw and compile. */
  @Test
  void printsEachLayersShapeOfACnn(@TempDir Path dir) throws Exception {
    Path cnn = dir.resolve("cnn.grad");
    Files.writeString(
        cnn,
        """
        model Cnn
        input  x: float[batch, 28, 28, 1]
        input  y: int[batch]
        param  K1: float[3, 3, 1, 16]  = he_uniform
        param  c1: float[16]           = zeros
        param  K2: float[3, 3, 16, 32] = he_uniform
        param  c2: float[32]           = zeros
        param  W:  float[1568, 10]     = glorot_uniform
        param  b:  float[10]           = zeros
        h1 = max_pool2d(relu(conv2d(x, K1, padding = 1) + c1))
        h2 = max_pool2d(relu(conv2d_same(h1, K2) + c2), window = 2)
        logits = dense(flatten(h2), W, b)
        loss mean(cross_entropy(logits, y, classes = 10))
        """);
    Run r = run("check", cnn.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out()
            .contains(
                "  values\n"
                    + "    h1      float[batch, 14, 14, 16]\n"
                    + "    h2      float[batch, 7, 7, 32]\n"
                    + "    logits  float[batch, 10]\n"),
        r.out());
    r = run("graph", cnn.toString(), "--backward", "--optimized");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("conv2d_input_grad("), r.out());
    assertTrue(r.out().contains("conv2d_weight_grad("), r.out());
    assertTrue(r.out().contains("max_pool2d_grad("), r.out());
    r = run("compile", cnn.toString(), "-d", dir.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.exists(dir.resolve("Cnn.class")), r.out());
    r = run("dump", cnn.toString(), "--backend", "scalar", "--no-bytecode");
    assertEquals(0, r.status(), r.err());
    for (String op :
        new String[] {
          "conv2d(3×3",
          "conv2d_input_grad(",
          "conv2d_weight_grad(",
          "max_pool2d(",
          "max_pool2d_grad("
        }) {
      assertTrue(r.out().contains(op), op + " in\n" + r.out());
    }
  }

  @Test
  void checksSeveralFiles() {
    Run r = run("check", model("xor.grad"), model("linreg.grad"), model("spirals.grad"));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("model Xor"));
    assertTrue(r.out().contains("total parameters: 4\n"));
    assertTrue(r.out().contains("total parameters: 4,547\n"));
    assertTrue(r.out().contains("    b3  float[3]                  3  constant(0.1)\n"), r.out());
  }

  @Test
  void printsErrorsAndExitsOne(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.grad");
    Files.writeString(bad, "model M\ninput x: float[batch, 4]\nloss mean(x @ W)\n");
    Run r = run("check", bad.toString(), model("xor.grad"));
    assertEquals(1, r.status());
    assertTrue(
        r.err()
            .startsWith(bad + ":3:15: error[E0101]: unknown name `W`\n  |\n3 | loss mean(x @ W)\n"),
        r.err());
    assertTrue(r.err().contains(bad + ": 1 error\n"), r.err());
    assertTrue(r.out().contains("model Xor"), "the other file is still checked");
  }

  @Test
  void warningsGoToStandardErrorAndDoNotFail(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("w.grad");
    Files.writeString(
        f, "model M\ninput x: float[batch, 4]\nparam p: float[2] = zeros\nloss mean(x)\n");
    Run r = run("check", f.toString());
    assertEquals(0, r.status());
    assertTrue(r.err().contains("warning[W0001]: parameter `p` is never used"), r.err());
  }

  @Test
  void unreadableFilesGetOneLine(@TempDir Path dir) throws Exception {
    Run r = run("check", dir.resolve("missing.grad").toString());
    assertEquals(1, r.status());
    assertEquals("gradc: cannot read " + dir.resolve("missing.grad") + ": no such file\n", r.err());
    Run d = run("check", dir.toString());
    assertEquals(1, d.status());
    assertEquals("gradc: cannot read " + dir + ": is a directory\n", d.err());
    Path binary = dir.resolve("b.grad");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0});
    assertEquals(
        "gradc: cannot read " + binary + ": not UTF-8 text\n",
        run("check", binary.toString()).err());
  }

  @Test
  void printsTheCorpusMessagesForEveryMalformedModel() throws Exception {
    Path dir = Path.of(CheckCommandTest.class.getResource("/malformed").toURI());
    try (var files = Files.list(dir)) {
      for (Path f :
          (Iterable<Path>) files.filter(p -> p.toString().endsWith(".grad")).sorted()::iterator) {
        String expected =
            Files.readString(
                    f.resolveSibling(f.getFileName().toString().replace(".grad", ".expected")))
                .replace("malformed/" + f.getFileName(), f.toString());
        Run r = run("check", f.toString());
        assertTrue(r.err().startsWith(expected), f + ":\n" + r.err());
        boolean onlyWarnings = !expected.contains(": error[");
        assertEquals(onlyWarnings ? 0 : 1, r.status(), f.toString());
      }
    }
  }

  @Test
  void badUsageExitsTwo() {
    assertEquals(2, run("check").status());
    assertEquals(2, run("check", "--no-such-option", "x.grad").status());
  }

  @Test
  void helpDescribesTheCommand() {
    Run r = run("check", "--help");
    assertEquals(0, r.status());
    assertTrue(r.out().contains("Usage: gradc check"), r.out());
  }
}
