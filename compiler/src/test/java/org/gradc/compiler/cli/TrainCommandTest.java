package org.gradc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gradc.compiler.cli.CompileAndDumpCommandTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train, eval, predict and gradcheck through the command line, on small synthetic data. */
class TrainCommandTest {
  static final String SPIRALS = "src/test/resources/models/spirals.grad";
  static final String XOR = "src/test/resources/models/xor.grad";
  static final String LINREG = "src/test/resources/models/linreg.grad";
  static final String LOGREG = "src/test/resources/models/logreg.grad";
  static final String DATA = "synthetic:spirals?n=600";

  static Run run(String... args) {
    return CompileAndDumpCommandTest.run(args);
  }

  @Test
  void trainSaveResumeEvalPredict(@TempDir Path dir) throws Exception {
    Path ckpt = dir.resolve("s.safetensors");
    Path csv = dir.resolve("h.csv");
    Path svg = dir.resolve("h.svg");
    Run r =
        run(
            "train",
            SPIRALS,
            "--data",
            DATA,
            "--epochs",
            "3",
            "--batch",
            "32",
            "--seed",
            "5",
            "--progress",
            "lines",
            "--save",
            ckpt.toString(),
            "--history",
            csv.toString(),
            "--plot",
            svg.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out().startsWith("training Spirals (4,547 parameters) on 3 spirals, 600 points"),
        r.out());
    assertTrue(r.out().contains("3 epochs in "), r.out());
    assertTrue(r.err().contains("epoch 3/3  loss "), r.err());
    assertEquals(4, Files.readAllLines(csv).size());
    assertTrue(Files.readString(svg).startsWith("<svg"));

    r =
        run(
            "train",
            SPIRALS,
            "--data",
            DATA,
            "--epochs",
            "4",
            "--batch",
            "32",
            "--seed",
            "5",
            "--progress",
            "none",
            "--save",
            ckpt.toString(),
            "--resume",
            ckpt.toString(),
            "--history",
            csv.toString());
    assertEquals(0, r.status(), r.err());
    assertEquals(5, Files.readAllLines(csv).size(), "the resumed history has all 4 epochs");

    r = run("eval", SPIRALS, "--load", ckpt.toString(), "--data", DATA);
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out().matches("(?s)3 spirals, .*test set \\(150 examples\\): loss .* accuracy .*"),
        r.out());

    r = run("predict", SPIRALS, "--load", ckpt.toString(), "--data", DATA, "--limit", "5");
    assertEquals(0, r.status(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals("row,predicted,probability,y", lines.get(0));
    assertEquals(6, lines.size());
    assertTrue(lines.get(1).matches("0,[012],0\\.\\d{4},[012]"), lines.get(1));
  }

  @Test
  void xorTrainsFromIntLabelsFedAsFloats() {
    Run r =
        run("train", XOR, "--data", "synthetic:xor?n=400", "--epochs", "2", "--progress", "none");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("val_loss"), r.out());
  }

  @Test
  void gradcheckAgrees() {
    Run r = run("gradcheck", SPIRALS, "--samples", "10");
    assertEquals(0, r.status(), r.err() + r.out());
    assertTrue(r.out().contains("W1 "), r.out());
    assertTrue(r.out().contains("(tolerance 1e-04, f64): gradients agree"), r.out());
    assertEquals(0, run("gradcheck", LINREG).status());
  }

  /**
   * At zero initialization every logit is exactly 0, where the smooth losses' stable formulas have
   * kinks: the generated gradients must still agree with finite differences (issue 10).
   */
  @Test
  void gradcheckAgreesAtZeroInitialization(@TempDir Path dir) throws Exception {
    Run r = run("gradcheck", LOGREG, "--tolerance", "1e-6");
    assertEquals(0, r.status(), r.err() + r.out());
    assertTrue(r.out().contains("gradients agree"), r.out());
    Path smooth = dir.resolve("smooth.grad");
    Files.writeString(
        smooth,
        """
        model SmoothAtZero
        input  x: float[batch, 3]
        input  t: float[batch, 4]
        param  W: float[3, 4] = zeros
        param  c: float[4]    = zeros
        z = x @ W + c
        loss mean(softplus(z) - log_sigmoid(z) * t + silu(z) + gelu(z) * t + softmax(z) * t)
          + mean(binary_cross_entropy_with_logits(z, t))
        """);
    r = run("gradcheck", smooth.toString(), "--tolerance", "1e-6");
    assertEquals(0, r.status(), r.err() + r.out());
  }

  @Test
  void userErrorsAreOneLine(@TempDir Path dir) throws Exception {
    Run r = run("train", SPIRALS, "--data", "mnist");
    assertEquals(1, r.status());
    assertEquals(
        "gradc: unknown data source 'mnist'; expected synthetic:xor|spirals|linear,"
            + " csv:FILE?label=COL, text:FILE?length=T, idx:IMAGES,LABELS or fashion-mnist[:DIR]\n",
        r.err());
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "a,b,y\n1,2,0\n1,x,1\n");
    r = run("train", SPIRALS, "--data", "csv:" + bad + "?label=y", "--progress", "none");
    assertEquals(1, r.status());
    assertEquals("gradc: " + bad + ":3: column 2 'b': expected a number, found \"x\"\n", r.err());
    Path ckpt = dir.resolve("c.safetensors");
    Files.write(ckpt, new byte[] {1, 2, 3});
    r = run("eval", SPIRALS, "--load", ckpt.toString(), "--data", DATA);
    assertEquals(1, r.status());
    assertEquals(
        "gradc: "
            + ckpt
            + ": not a safetensors file: 3 bytes, shorter than the 8-byte header length\n",
        r.err());
    r = run("train", dir.resolve("none.grad").toString(), "--data", DATA);
    assertEquals(1, r.status());
    assertTrue(r.err().endsWith("none.grad: no such file\n"), r.err());
    r = run("train", SPIRALS, "--data", DATA, "--schedule", "linear");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("--schedule 'linear': expected constant"), r.err());
    r = run("train", SPIRALS, "--data", "synthetic:linear", "--progress", "none");
    assertEquals(1, r.status());
    assertEquals(
        "gradc: training data column 'x' has rows of shape [4] (4 values), but model input 'x'"
            + " [batch, 2] expects 2 values per row\n",
        r.err());
  }
}
