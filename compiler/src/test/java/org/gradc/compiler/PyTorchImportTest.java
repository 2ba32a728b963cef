package org.gradc.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.gradc.runtime.Model;
import org.gradc.runtime.io.WeightImport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PyTorch {@code state_dict} of Linear → BatchNorm1d → ReLU → Linear, written as safetensors by
 * Python (bytes laid out with NumPy, see {@code pytorch/linear_bn_state_dict.py}), imported with a
 * name mapping and transposes, and evaluated by gradc: the outputs equal PyTorch's {@code
 * model.eval()} outputs (NumPy's, when PyTorch is not installed). Skipped, with a message, when
 * {@code python3} with NumPy is not available.
 */
class PyTorchImportTest {
  static final Path SCRIPT = Path.of("src/test/resources/pytorch/linear_bn_state_dict.py");
  static final Path MODEL = Path.of("src/test/resources/pytorch/linear_bn.grad");

  static String python(Path dir, String... args) throws IOException, InterruptedException {
    return pythonWith("python3", dir, args);
  }

  /** Runs {@code python} with {@code args} in {@code dir}: its output, or null if it failed. */
  static String pythonWith(String python, Path dir, String... args)
      throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 1];
    cmd[0] = python;
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      return null;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return null;
    }
    return p.exitValue() == 0 ? out.strip() : null;
  }

  static float[] floats(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  @Test
  void stateDictFromPythonPredictsLikePyTorchInEvalMode(@TempDir Path dir) throws Exception {
    String probe = python(dir, "-c", "import numpy");
    assumeTrue(probe != null, "python3 with numpy not found: PyTorch import test skipped");
    String source = python(dir, SCRIPT.toAbsolutePath().toString(), dir.toString());
    assertEquals(true, source != null, "the script failed");
    System.out.println("PyTorchImportTest: reference outputs computed by " + source);

    Model m = Gradc.compile(MODEL);
    WeightImport.Result r =
        WeightImport.from(dir.resolve("net.safetensors"))
            .map("0.weight", "W1")
            .transpose("W1")
            .map("0.bias", "b1")
            .map("1.weight", "gamma")
            .map("1.bias", "beta")
            .map("1.running_mean", "mu")
            .map("1.running_var", "var")
            .map("3.weight", "W2")
            .transpose("W2")
            .map("3.bias", "b2")
            .ignore("*.num_batches_tracked")
            .into(m);
    assertEquals(8, r.loaded().size());
    float[] x = floats(dir.resolve("x.f32"));
    float[] want = floats(dir.resolve("y.f32"));
    m.feed("x", x);
    m.forward();
    float[] got = m.output("y");
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      double tol = 2e-5 * Math.max(1, Math.abs(want[i]));
      assertEquals(want[i], got[i], tol, "output element " + i + " (" + source + ")");
    }
  }
}
