package org.gradc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Map;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.io.WeightImport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code batch_norm} and {@code dropout} against PyTorch 1.13 ({@code pytorch/bn_train.py}): after
 * the same three SGD steps from the same weights on the same batches, gradc's running statistics
 * and parameters equal PyTorch's; a network with dropout trained by PyTorch and imported predicts
 * in evaluation mode as PyTorch's {@code model.eval()} does. Skipped, with a message, without a
 * python3 that imports torch ({@code python3}, then {@code /usr/bin/python3}).
 */
class BatchNormPyTorchTest {
  static final Path SCRIPT = Path.of("src/test/resources/pytorch/bn_train.py");
  static final Path DIR = Path.of("src/test/resources/pytorch");

  /** The first python3 that imports torch, or null. */
  static String torchPython(Path dir) throws Exception {
    for (String python : new String[] {"python3", "/usr/bin/python3"}) {
      if (PyTorchImportTest.pythonWith(python, dir, "-c", "import torch") != null) {
        return python;
      }
    }
    return null;
  }

  static WeightImport mapping(Path file, int last) {
    return WeightImport.from(file)
        .map("0.weight", "W1")
        .transpose("W1")
        .map("0.bias", "b1")
        .map("1.weight", "gamma")
        .map("1.bias", "beta")
        .map("1.running_mean", "mu")
        .map("1.running_var", "var")
        .map(last + ".weight", "W2")
        .transpose("W2")
        .map(last + ".bias", "b2")
        .ignore("*.num_batches_tracked");
  }

  static void assertClose(String what, float[] want, float[] got, double rel) {
    assertEquals(want.length, got.length, what);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], rel * Math.max(1, Math.abs(want[i])), what + "[" + i + "]");
    }
  }

  @Test
  void trainingAndEvaluationMatchPyTorch(@TempDir Path dir) throws Exception {
    String python = torchPython(dir);
    assumeTrue(python != null, "no python3 with torch: BatchNormPyTorchTest skipped");
    String out =
        PyTorchImportTest.pythonWith(
            python, dir, SCRIPT.toAbsolutePath().toString(), dir.toString());
    assertEquals(true, out != null, "bn_train.py failed");
    System.out.println("BatchNormPyTorchTest: " + out);

    // A: the same three steps from the same weights
    Model a = Gradc.compile(DIR.resolve("bn_mlp.grad"));
    mapping(dir.resolve("a_init.safetensors"), 3).into(a);
    for (int k = 0; k < 3; k++) {
      a.feed("x", PyTorchImportTest.floats(dir.resolve("a_x" + k + ".f32")));
      a.feed("t", PyTorchImportTest.floats(dir.resolve("a_t" + k + ".f32")));
      a.trainStep();
    }
    Model want = Gradc.compile(DIR.resolve("bn_mlp.grad"));
    mapping(dir.resolve("a_final.safetensors"), 3).into(want);
    for (Map.Entry<TensorKind, String[]> e :
        Map.of(
                TensorKind.STATE, new String[] {"mu", "var"},
                TensorKind.PARAM, new String[] {"W1", "b1", "gamma", "beta", "W2", "b2"})
            .entrySet()) {
      for (String name : e.getValue()) {
        assertClose(
            name + " after 3 steps",
            (float[]) want.tensor(e.getKey(), name),
            (float[]) a.tensor(e.getKey(), name),
            1e-5);
      }
    }

    // B: a network with dropout, trained by PyTorch, in evaluation mode (training class and
    // inference-only class alike)
    float[] x = PyTorchImportTest.floats(dir.resolve("b_x.f32"));
    float[] y = PyTorchImportTest.floats(dir.resolve("b_y.f32"));
    for (boolean inference : new boolean[] {false, true}) {
      Model b =
          Gradc.compile(
              new org.gradc.compiler.diag.SourceFile(
                  "bn_dropout_mlp.grad",
                  java.nio.file.Files.readString(DIR.resolve("bn_dropout_mlp.grad"))),
              Gradc.Options.defaults().withInference(inference));
      mapping(dir.resolve("b_final.safetensors"), 4).into(b);
      b.feed("x", x);
      b.forward();
      assertClose("eval output (inference-only " + inference + ")", y, b.output("y"), 2e-5);
    }
  }
}
