package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;
import org.junit.jupiter.api.Test;

/**
 * No generated method exceeds HotSpot's 8,000-byte limit, however wide or deep the model: kernels
 * are one method each and the unroll policy shrinks until each fits.
 */
class MethodSizeTest {

  private static Map<String, Integer> sizes(Graph g, Precision p) {
    GeneratedClass c = Harness.generate(Harness.training(g, OptimizerKind.ADAM), p);
    Map<String, Integer> sizes = MethodSizes.of(c.bytes());
    for (Map.Entry<String, Integer> e : sizes.entrySet()) {
      assertTrue(e.getValue() <= MethodSizes.HUGE_METHOD_LIMIT, e.getKey() + ": " + e.getValue());
    }
    return sizes;
  }

  @Test
  void wideLayer() throws Exception {
    for (Precision p : Precision.values()) {
      sizes(Models.mlp("Wide", p.ir(), 784, 4096, 10), p);
    }
  }

  @Test
  void fiftyLayers() throws Exception {
    int[] widths = new int[51];
    java.util.Arrays.fill(widths, 12);
    widths[50] = 3;
    Graph g = Models.mlp("Deep", DType.F64, widths);
    GeneratedClass unrolled =
        ModelCompiler.generate(
            Harness.training(g, OptimizerKind.ADAM),
            new CodegenOptions(Precision.F64, HiddenClasses.PACKAGE, true, null)
                .withSteps(StepForm.UNROLLED));
    Harness.verify(unrolled.bytes());
    int methods = MethodSizes.of(unrolled.bytes()).size();
    assertTrue(methods > 150, "one method per kernel: " + methods);
    // the 49 hidden layers are the same code over other buffers: they share their methods
    Map<String, Integer> sizes = sizes(g, Precision.F64);
    assertTrue(sizes.size() < methods / 3, "shared methods: " + sizes.size() + " of " + methods);
    Model m =
        HiddenClasses.instantiate(
            ModelCompiler.generate(
                Harness.training(g, OptimizerKind.SGD),
                new CodegenOptions(Precision.F64, HiddenClasses.PACKAGE, true, null)));
    Harness.compareWithEvaluator(m, g, 3, 1, Precision.F64);
  }

  /**
   * Hundreds of batched buffers (a long unrolled sequence has thousands): {@code allocate} is split
   * into helpers, and the model still allocates every buffer and computes right.
   */
  @Test
  void manyFieldsSplitConstructorAndBufferSwitch() throws Exception {
    int[] widths = new int[66];
    java.util.Arrays.fill(widths, 3);
    Graph g = Models.mlp("Long", DType.F64, widths);
    Map<String, Integer> sizes = sizes(g, Precision.F64);
    assertTrue(sizes.containsKey("init$1()V"), "constructor split");
    assertTrue(sizes.containsKey("buffer$1(I)Ljava/lang/Object;"), "buffer switch split");
    // Adam: 8 fixed arrays and 8 slots per layer (parameter, gradient, two moments, for W and b)
    Model m = Harness.load(Harness.training(g, OptimizerKind.ADAM), Precision.F64);
    Harness.compareWithEvaluator(m, g, 2, 5, Precision.F64);
  }

  /** Tiny tensors are unrolled; the policy is what keeps even those methods small. */
  @Test
  void fullyUnrolledKernelsStaySmall() throws Exception {
    sizes(Models.mlp("Tiny", DType.F32, 2, 16, 16, 2), Precision.F32);
  }
}
