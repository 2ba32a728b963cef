package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.diag.SourceFile;
import org.junit.jupiter.api.Test;

/**
 * {@link FusedBytes} bounds the code of every elementwise function: a recurrence of 40 steps of
 * each (fused into groups, or inlined into the loss's reduction) compiles in f32 and f64, scalar
 * and at every vector width, with every method under HotSpot's limit. Under a bound by member
 * count, {@code tanh} chains needed 34 KB methods (vector f64) and {@code tanh(tanh(…))} inlined
 * into one reduction 64 KB.
 */
class FusedBytesTest {
  private static final String[] STEPS = {
    "tanh(h[t] * a + b)",
    "tanh(h[t])",
    "sigmoid(h[t]) * a",
    "exp(-abs(h[t])) * a",
    "log(abs(h[t]) + 1) * a",
    "sqrt(abs(h[t]) + 1) * a",
    "(abs(h[t]) + 1) ^ 0.7",
    "where(h[t] > a, h[t], b) * a",
    "max(h[t], a) * b - h[t] / (abs(a) + 1)",
  };

  @Test
  void everyFunctionChainFitsEveryBackEnd() throws Exception {
    for (String step : STEPS) {
      String text =
          """
          model Chain
          const T = 40
          input  x: float[batch, 37]
          param  a: float[37] = uniform(-0.9, 0.9)
          param  b: float[37] = uniform(-0.5, 0.5)
          h[0] = x
          for t in 0 .. T {
            h[t + 1] = %s
          }
          loss mean(h[T] ^ 2)
          """
              .formatted(step);
      for (Precision p : Precision.values()) {
        TrainingGraph tg = Gradc.trainingGraph(new SourceFile("chain.grad", text), p);
        for (Backend backend :
            new Backend[] {
              new ScalarBackend(),
              new VectorBackend(4, 2),
              new VectorBackend(8, 4),
              new VectorBackend(16, 8)
            }) {
          GeneratedClass c = Harness.generate(tg, p, backend);
          for (Map.Entry<String, Integer> e : MethodSizes.of(c.bytes()).entrySet()) {
            assertTrue(
                e.getValue() <= MethodSizes.HUGE_METHOD_LIMIT,
                step + ", " + p + ": " + e.getKey() + " has " + e.getValue() + " bytes");
          }
        }
      }
    }
  }
}
