package org.gradc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GraphCommandTest {
  private static final String MLP = org.gradc.compiler.Examples.FASHION_MLP.toString();

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

  @Test
  void forwardTextIsStable() {
    Run r = run("graph", MLP);
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("graph FashionMlp\n"), r.out());
    assertTrue(r.out().contains("= input(x) : float[batch, 784]"), r.out());
    assertTrue(
        r.out().contains("= matmul(%0, %2) : float[batch, 256]                ; line 11"), r.out());
    assertTrue(r.out().contains("  output probs = %"), r.out());
    assertFalse(r.out().contains("; grad"), r.out());
    assertEquals(r.out(), run("graph", MLP).out());
  }

  @Test
  void backwardOptimizedTextMarksGradientNodesAndCounts() {
    Run r = run("graph", MLP, "--backward", "--optimized");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("; grad line"), r.out());
    assertTrue(r.out().contains("  gradient W1 = %"), r.out());
    assertTrue(r.out().matches("(?s).*\nnodes: \\d+ -> \\d+ \\(\\d+ rounds\\)\n"), r.out());
  }

  @Test
  void dotKeepsStdoutValidAndColoursTheBackwardPassRed() {
    Run r = run("graph", MLP, "--backward", "--optimized", "--format", "dot");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("digraph \"FashionMlp\" {\n"), r.out());
    assertTrue(r.out().endsWith("}\n"));
    assertTrue(r.out().contains("[label=\"matmul\\nfloat[batch, 256]\\nline 11\"]"), r.out());
    assertTrue(r.out().contains("color=red, fontcolor=red"), r.out());
    assertTrue(r.out().contains("label=\"∂loss/∂W1\""), r.out());
    assertTrue(r.err().startsWith("nodes: "), r.err());
    assertFalse(r.out().contains("nodes: "));
  }

  @Test
  void badModelsAndFilesAreOneClearError(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.grad");
    Files.writeString(bad, "model M\ninput x: float[batch, 3]\nloss exp(x) @ x\n");
    Run r = run("graph", bad.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains("bad.grad:3:"), r.err());
    Run missing = run("graph", dir.resolve("nope.grad").toString());
    assertEquals(1, missing.status());
    assertEquals(
        "gradc: cannot read " + dir.resolve("nope.grad") + ": no such file\n", missing.err());
    assertEquals(2, run("graph", MLP, "--format", "svg").status());
  }
}
