package org.gradc.compiler.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.BackendKind;
import org.gradc.runtime.Model;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.train.Metric;
import org.gradc.runtime.train.Metrics;
import org.gradc.runtime.train.Trainer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Validation runs the generated {@code evaluate} entry point: the loss {@code lossAndGradients}
 * would give, and no backward pass, so the gradients of the last step survive it bit for bit.
 */
class ValidationTest {
  static final String MODEL =
      """
      model Tiny
      input  x: float[batch, 3]
      input  y: int[batch]
      param  W: float[3, 4] = glorot_uniform
      param  b: float[4]    = zeros
      z = relu(x @ W + b)
      output probs = softmax(z)
      loss   mean(cross_entropy(z, y, classes = 4))
      """;

  @ParameterizedTest
  @EnumSource(
      value = BackendKind.class,
      names = {"SCALAR", "AUTO"})
  void validationLeavesGradientsAndMatchesLossAndGradients(BackendKind backend) throws Exception {
    Model m =
        Gradc.compile(
            new org.gradc.compiler.diag.SourceFile("tiny.grad", MODEL),
            Gradc.Options.defaults().withBackend(backend));
    m.initialize(3);
    int rows = 10;
    SplittableRandom r = new SplittableRandom(7);
    float[] x = new float[rows * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) {
      y[i] = r.nextInt(4);
    }
    Dataset data = Dataset.of(Dataset.floats("x", x, 3), Dataset.ints("y", y));
    // gradients of some earlier step, which validation must not touch
    Arrays.fill(m.gradient("W"), 7f);
    Arrays.fill(m.gradient("b"), -3f);
    float[] w = m.gradient("W").clone();
    float[] b = m.gradient("b").clone();

    Metrics whole = Trainer.evaluate(m, data, rows);
    Metrics batched = Trainer.evaluate(m, data, 4);
    assertArrayEquals(w, m.gradient("W"));
    assertArrayEquals(b, m.gradient("b"));

    m.feed("x", x);
    m.feed("y", y);
    double expected = m.lossAndGradients();
    assertEquals(expected, whole.get(Metric.LOSS), 1e-6 * Math.max(1, Math.abs(expected)));
    assertEquals(expected, batched.get(Metric.LOSS), 1e-5 * Math.max(1, Math.abs(expected)));
    m.feed("x", x);
    m.feed("y", y);
    assertEquals(expected, m.evaluate(), 1e-6 * Math.max(1, Math.abs(expected)));
  }
}
