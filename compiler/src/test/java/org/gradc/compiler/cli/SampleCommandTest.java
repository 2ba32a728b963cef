package org.gradc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.gradc.compiler.cli.CompileAndDumpCommandTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gradc sample} on a tiny byte-level LSTM trained on words of a and b only: at a low
 * temperature it writes words of a and b; the same seed gives the same words, another seed others.
 */
class SampleCommandTest {

  private static final String MODEL =
      """
      model Tiny
      const T = 6
      const H = 16
      input  x: int[batch, T]
      input  y: int[batch, T]
      param  E:  float[256, 8]  = normal(0, 0.1)
      param  Wx: float[8, 64]   = glorot_uniform
      param  Wh: float[16, 64]  = glorot_uniform
      param  b:  float[64]      = zeros
      param  Wo: float[16, 256] = glorot_uniform
      param  bo: float[256]     = zeros
      h[0] = zeros([batch, H])
      c[0] = zeros([batch, H])
      L[0] = 0
      for t in 0 .. T {
        z = embedding(E, x[:, t]) @ Wx + h[t] @ Wh + b
        c[t + 1] = sigmoid(z[:, H .. 2 * H]) * c[t] + sigmoid(z[:, 0 .. H]) * tanh(z[:, 2 * H .. 3 * H])
        h[t + 1] = sigmoid(z[:, 3 * H .. 4 * H]) * tanh(c[t + 1])
        o[t] = h[t + 1] @ Wo + bo
        L[t + 1] = L[t] + mean(cross_entropy(o[t], y[:, t], classes = 256))
      }
      output logits = stack(o[0 .. T], axis = 1)
      loss L[T] / T
      optimizer adam(lr = 0.03)
      """;

  @Test
  void samplesWordsLikeItsData(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("tiny.grad");
    Files.writeString(model, MODEL);
    Path words = dir.resolve("words.txt");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      text.append("ab\nabba\nbab\naab\nbba\n");
    }
    Files.writeString(words, text);
    Path ckpt = dir.resolve("tiny.safetensors");
    Run r =
        TrainCommandTest.run(
            "train",
            model.toString(),
            "--data",
            "text:" + words + "?length=6",
            "--epochs",
            "15",
            "--batch",
            "20",
            "--seed",
            "3",
            "--progress",
            "none",
            "--save",
            ckpt.toString());
    assertEquals(0, r.status(), r.err());

    Run a = sample(model, ckpt, "0.3", "7");
    assertEquals(0, a.status(), a.err());
    String[] lines = a.out().strip().split("\n");
    assertEquals(12, lines.length, a.out());
    for (String w : lines) {
      assertTrue(w.matches("[ab]{1,5}"), "a word of a and b: '" + w + "' in\n" + a.out());
    }
    assertEquals(a.out(), sample(model, ckpt, "0.3", "7").out(), "seeded");
    assertNotEquals(a.out(), sample(model, ckpt, "1.0", "8").out());
  }

  @Test
  void aModelWithoutByteInputIsAUserError(@TempDir Path dir) throws Exception {
    Path ckpt = dir.resolve("x.safetensors");
    Run r =
        TrainCommandTest.run(
            "train",
            TrainCommandTest.XOR,
            "--data",
            "synthetic:xor?n=64",
            "--epochs",
            "1",
            "--progress",
            "none",
            "--save",
            ckpt.toString());
    assertEquals(0, r.status(), r.err());
    Run s = TrainCommandTest.run("sample", TrainCommandTest.XOR, "--load", ckpt.toString());
    assertEquals(1, s.status());
    assertTrue(s.err().contains("is not a byte-level language model"), s.err());
  }

  private static Run sample(Path model, Path ckpt, String temperature, String seed) {
    return TrainCommandTest.run(
        "sample",
        model.toString(),
        "--load",
        ckpt.toString(),
        "--temperature",
        temperature,
        "--seed",
        seed,
        "--count",
        "12");
  }
}
