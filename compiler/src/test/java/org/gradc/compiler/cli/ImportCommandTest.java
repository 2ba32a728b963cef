package org.gradc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.cli.CompileAndDumpCommandTest.Run;
import org.gradc.runtime.Model;
import org.gradc.runtime.data.DataSource;
import org.gradc.runtime.io.WeightImport;
import org.gradc.runtime.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --import} with {@code --map}/{@code --transpose}/{@code --ignore} on eval, predict, train.
 */
class ImportCommandTest {
  static final String XOR = TrainCommandTest.XOR;

  static long[] s(long... shape) {
    return shape;
  }

  /** Xor's weights as PyTorch's nn.Sequential(Linear(2, 8), Tanh(), Linear(8, 1)) names them. */
  static Path torchXor(Path dir) throws Exception {
    float[] w1 = new float[16];
    float[] w2 = new float[8];
    for (int i = 0; i < 16; i++) {
      w1[i] = (i % 5 - 2) * 0.7f;
    }
    for (int i = 0; i < 8; i++) {
      w2[i] = (i % 3 - 1) * 1.3f;
    }
    return new HandWrittenSafeTensors()
        .f32("0.weight", s(8, 2), w1)
        .f32("0.bias", s(8), 0.1f, -0.1f, 0.2f, -0.2f, 0.3f, -0.3f, 0.4f, -0.4f)
        .f32("2.weight", s(1, 8), w2)
        .f32("2.bias", s(1), 0.05f)
        .i64("1.num_batches_tracked", s(), 3)
        .write(dir.resolve("xor.safetensors"));
  }

  static final String[] MAPPING = {
    "--map", "0.weight=W1", "--transpose", "W1", "--map", "0.bias=b1",
    "--map", "2.weight=W2", "--transpose", "W2", "--map", "2.bias=b2",
    "--ignore", "*.num_batches_tracked"
  };

  static String[] args(String... head) {
    String[] out = new String[head.length + MAPPING.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(MAPPING, 0, out, head.length, MAPPING.length);
    return out;
  }

  @Test
  void evalWithImportedWeightsMatchesTheApi(@TempDir Path dir) throws Exception {
    Path f = torchXor(dir);
    Run r =
        CompileAndDumpCommandTest.run(
            args("eval", XOR, "--import", f.toString(), "--data", "synthetic:xor?n=200"));
    assertEquals(0, r.status(), r.err());
    Model m = Gradc.compile(Path.of(XOR));
    WeightImport.from(f)
        .map("0.weight", "W1")
        .transpose("W1")
        .map("0.bias", "b1")
        .map("2.weight", "W2")
        .transpose("W2")
        .map("2.bias", "b2")
        .ignore("*.num_batches_tracked")
        .into(m);
    DataSource d = DataSource.open("synthetic:xor?n=200");
    String metrics =
        Trainer.evaluate(m, (d.test() == null ? d.train() : d.test()).forModel(m.spec()), 256)
            .toString();
    assertTrue(r.out().contains(metrics), r.out() + " vs " + metrics);
    // W1[0][1] is weight[1][0] = element 2 of the file's [8, 2] row-major data.
    assertEquals((2 % 5 - 2) * 0.7f, m.parameter("W1")[1]);
  }

  @Test
  void predictAndTrainTakeImportToo(@TempDir Path dir) throws Exception {
    Path f = torchXor(dir);
    Run p =
        CompileAndDumpCommandTest.run(
            args(
                "predict",
                XOR,
                "--import",
                f.toString(),
                "--data",
                "synthetic:xor?n=20",
                "--limit",
                "2"));
    assertEquals(0, p.status(), p.err());
    Run t =
        CompileAndDumpCommandTest.run(
            args(
                "train",
                XOR,
                "--import",
                f.toString(),
                "--data",
                "synthetic:xor?n=100",
                "--epochs",
                "1",
                "--progress",
                "none"));
    assertEquals(0, t.status(), t.err());
    assertTrue(
        t.err().contains(": imported 4 tensors (2 transposed); ignored 1: 1.num_batches_tracked"),
        t.err());
  }

  @Test
  void mismatchesAreListedOneLineEach(@TempDir Path dir) throws Exception {
    Path f = torchXor(dir);
    Run r =
        CompileAndDumpCommandTest.run(
            "eval",
            XOR,
            "--import",
            f.toString(),
            "--map",
            "0.weight=W1",
            "--map",
            "2.weight=W2",
            "--data",
            "synthetic:xor");
    assertEquals(1, r.status(), r.err());
    String want =
        String.join(
            "\n",
            "gradc: " + f + ": cannot import weights into model 'Xor' (7 problems)",
            "  tensor '0.bias' (F32[8]): model 'Xor' has no tensor of that name; map it to one, or"
                + " ignore it",
            "  tensor '2.bias' (F32[1]): model 'Xor' has no tensor of that name; map it to one, or"
                + " ignore it",
            "  tensor '1.num_batches_tracked' (I64[]): model 'Xor' has no tensor of that name; map"
                + " it to one, or ignore it",
            "  tensor '0.weight' -> W1: shape [8, 2] in the file, W1 is F32[2, 8]; it is stored"
                + " transposed ([out, in], as PyTorch's Linear): transpose W1",
            "  parameter b1 (F32[8]): no tensor in the file goes to it (unused file tensors of a"
                + " fitting shape: [0.bias])",
            "  tensor '2.weight' -> W2: shape [1, 8] in the file, W2 is F32[8, 1]; it is stored"
                + " transposed ([out, in], as PyTorch's Linear): transpose W2",
            "  parameter b2 (F32[1]): no tensor in the file goes to it (unused file tensors of a"
                + " fitting shape: [2.bias])");
    assertEquals(want, r.err().strip().replace(System.lineSeparator(), "\n"));
  }

  @Test
  void usageErrors(@TempDir Path dir) throws Exception {
    Path f = torchXor(dir);
    Run both =
        CompileAndDumpCommandTest.run(
            "eval", XOR, "--import", f.toString(), "--load", f.toString(), "--data", "x");
    assertEquals(2, both.status());
    assertTrue(both.err().contains("expected one of --load CKPT and --import FILE"), both.err());
    Run neither = CompileAndDumpCommandTest.run("eval", XOR, "--data", "x");
    assertEquals(2, neither.status());
    Run mapAlone =
        CompileAndDumpCommandTest.run(
            "eval", XOR, "--load", f.toString(), "--map", "a=b", "--data", "x");
    assertEquals(2, mapAlone.status());
    assertTrue(mapAlone.err().contains("need --import"), mapAlone.err());
    Run badMap =
        CompileAndDumpCommandTest.run(
            "eval", XOR, "--import", f.toString(), "--map", "ab", "--data", "x");
    assertEquals(2, badMap.status());
    assertTrue(badMap.err().contains("--map 'ab': expected"), badMap.err());
    Run resume =
        CompileAndDumpCommandTest.run(
            "train", XOR, "--data", "synthetic:xor", "--import", f.toString(), "--resume", "c");
    assertEquals(2, resume.status());
  }
}
