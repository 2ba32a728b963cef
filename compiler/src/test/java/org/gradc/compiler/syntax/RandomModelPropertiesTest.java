package org.gradc.compiler.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Shape;

/**
 * Random multi-layer perceptrons written in the language: the front end finds exactly the
 * parameters, shapes and counts the generator meant, and the forward graph computes a distribution
 * per example.
 */
class RandomModelPropertiesTest {
  private static final String[] ACTIVATIONS = {
    "relu", "tanh", "sigmoid", "gelu", "silu", "softplus", "leaky_relu"
  };

  @Property(tries = 60)
  void mlpsHaveTheExpectedParametersAndShapes(
      @ForAll @IntRange(min = 1, max = 4) int depth,
      @ForAll @IntRange(min = 0, max = 1_000_000) int seed,
      @ForAll boolean useConsts)
      throws Exception {
    Random r = new Random(seed);
    int[] widths = new int[depth + 1];
    for (int i = 0; i <= depth; i++) {
      widths[i] = 1 + r.nextInt(40);
    }
    widths[depth] = Math.max(2, widths[depth]);
    StringBuilder text = new StringBuilder("model Mlp\n");
    if (useConsts) {
      for (int i = 0; i <= depth; i++) {
        text.append("const N").append(i).append(" = ").append(widths[i]).append('\n');
      }
    }
    String in = useConsts ? "N0" : Integer.toString(widths[0]);
    text.append("input x: float[batch, ").append(in).append("]\ninput y: int[batch]\n");
    long expected = 0;
    for (int i = 0; i < depth; i++) {
      String a = useConsts ? "N" + i : Integer.toString(widths[i]);
      String b = useConsts ? "N" + (i + 1) : Integer.toString(widths[i + 1]);
      text.append("param W").append(i).append(": float[").append(a).append(", ").append(b);
      text.append("] = glorot_uniform\nparam b").append(i).append(": float[").append(b);
      text.append("] = zeros\n");
      expected += (long) widths[i] * widths[i + 1] + widths[i + 1];
    }
    String h = "x";
    for (int i = 0; i < depth; i++) {
      String z = "dense(" + h + ", W" + i + ", b" + i + ")";
      String next = "h" + i;
      String act = ACTIVATIONS[r.nextInt(ACTIVATIONS.length)];
      text.append(next).append(" = ").append(i == depth - 1 ? z : act + "(" + z + ")").append('\n');
      h = next;
    }
    text.append("output probs = softmax(").append(h).append(")\n");
    text.append("loss mean(cross_entropy(")
        .append(h)
        .append(", y, classes = ")
        .append(widths[depth])
        .append("))\n");

    CheckedModel m = FrontEnd.check(new SourceFile("mlp.grad", text.toString()), DType.F64);
    assertEquals(expected, m.parameterCount(), text::toString);
    assertEquals(2 * depth, m.graph().params().size());
    assertEquals(Shape.batched(widths[depth]), m.graph().outputs().get("probs").shape());
    assertTrue(m.warnings().isEmpty());

    int batch = 1 + r.nextInt(3);
    Map<String, double[]> values = new HashMap<>();
    values.put("x", random(r, batch * widths[0]));
    double[] labels = new double[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = r.nextInt(widths[depth]);
    }
    values.put("y", labels);
    for (int i = 0; i < depth; i++) {
      values.put("W" + i, random(r, widths[i] * widths[i + 1]));
      values.put("b" + i, random(r, widths[i + 1]));
    }
    Graph g = m.graph();
    Evaluator.Result result = Evaluator.evaluate(g, values, batch);
    double[] probs = result.output("probs");
    for (int row = 0; row < batch; row++) {
      double sum = 0;
      for (int j = 0; j < widths[depth]; j++) {
        sum += probs[row * widths[depth] + j];
      }
      assertEquals(1.0, sum, 1e-9);
    }
    double nll = 0;
    for (int row = 0; row < batch; row++) {
      nll -= Math.log(probs[row * widths[depth] + (int) labels[row]]);
    }
    assertEquals(nll / batch, result.loss(), 1e-9 * Math.max(1, Math.abs(nll)));
  }

  private static double[] random(Random r, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextGaussian() * 0.5;
    }
    return v;
  }
}
