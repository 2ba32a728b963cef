package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.autodiff.Autodiff;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reductions in the vector back end against the evaluator: rows in lane accumulators ({@link
 * VectorEmitter#reduction}: whole blocks of four vectors, single vectors, a scalar tail, a dynamic
 * extent) and columns as a vectorized accumulating pass ({@link Kernel.Reduction#inMemory}), sums,
 * means and maxima, with the element a stored operand or a formula recomputed in place; f32 and
 * f64, at the preferred width and at 8 and 4 float lanes; the scalar back end as well, since it
 * lowers column sums through the same passes.
 */
class VectorReductionTest {

  /**
   * Outputs reducing {@code x[batch, c]} and {@code u[batch, 3, c]} every way a model does, and a
   * loss over them, so the gradients (broadcasts of the reductions' cotangents) are checked too.
   */
  static Graph reductions(DType d, int c) throws Exception {
    Graph.Builder b = Graph.builder().modelName("Reductions").precision(d);
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    Node x = e.input("x", new TensorType(d, Shape.batched(c)));
    Node u = e.input("u", new TensorType(d, Shape.batched(3, c)));
    Node w = e.param("w", new TensorType(d, Shape.of(c)));
    Node xw = e.mul(x, w);
    Node rowMax = e.amax(xw, true, 1);
    Node rowSum = e.sum(e.exp(e.sub(xw, rowMax)), true, 1);
    Node rowMean = e.mean(xw, false, 1);
    Node colSum = e.sum(xw, false, 0);
    Node colMax = e.amax(xw, false, 0);
    Node stackedSum = e.sum(e.mul(u, w), false, 0, 1);
    Node stackedMean = e.mean(u, false, 0, 1);
    Node batchMean = e.mean(rowMean, false, 0);
    b.output("rowMax", rowMax);
    b.output("rowSum", rowSum);
    b.output("rowMean", rowMean);
    b.output("colSum", colSum);
    b.output("colMax", colMax);
    b.output("stackedSum", stackedSum);
    b.output("stackedMean", stackedMean);
    b.output("batchMean", batchMean);
    Node loss =
        e.add(
            e.add(e.mean(e.log(rowSum), false, 0, 1), batchMean),
            e.add(e.mean(e.mul(colSum, colMax), false, 0), e.mean(stackedSum, false, 0)));
    b.loss(loss);
    return Autodiff.differentiate(b.build());
  }

  @ParameterizedTest
  @CsvSource({
    "F32, 256, 0", // 16 vectors at 16 lanes: four blocks of four accumulators
    "F32, 40, 0", // two vectors and a tail of 8
    "F32, 16, 0", // one vector, no block
    "F32, 100, 8",
    "F32, 37, 4",
    "F32, 256, 4",
    "F64, 256, 0",
    "F64, 40, 0",
    "F64, 33, 2",
  })
  void rowAndColumnReductionsMatchTheEvaluator(Precision p, int c, int lanes) throws Exception {
    Graph g = reductions(p.ir(), c);
    VectorBackend vector =
        switch (lanes) {
          case 8 -> VectorBackendTest.F32_8;
          case 4 -> VectorBackendTest.F32_4;
          case 2 -> new VectorBackend(4, 2);
          default -> VectorBackendTest.PREFERRED;
        };
    List<GeneratedClass> classes = new ArrayList<>();
    GeneratedClass v = VectorBackendTest.generate(g, p, vector, OptimizerKind.SGD);
    assertTrue(VectorBackendTest.usesVectorApi(v));
    classes.add(v);
    GeneratedClass s = VectorBackendTest.generate(g, p, new ScalarBackend(), OptimizerKind.SGD);
    assertFalse(VectorBackendTest.usesVectorApi(s));
    classes.add(s);
    for (GeneratedClass gc : classes) {
      Model m = HiddenClasses.instantiate(gc);
      for (int batch : new int[] {1, 5, 16, 37}) {
        Harness.compareWithEvaluator(m, g, batch, 97L * batch + c, p);
      }
    }
  }

  /**
   * The row reductions of the test graph are lane accumulators and its column sums vectorized
   * accumulating passes (per {@code gradc dump}'s rendering of the kernels).
   */
  @ParameterizedTest
  @CsvSource({"F32", "F64"})
  void rowsAndColumnsAreVectorCode(Precision p) throws Exception {
    GeneratedClass c =
        VectorBackendTest.generate(
            reductions(p.ir(), 256), p, VectorBackendTest.PREFERRED, OptimizerKind.SGD);
    String all = String.join("\n", c.kernels().values());
    assertTrue(count(all, "// vector row reduction (") >= 3, all);
    assertTrue(count(all, "], scalar tail: reduce [256] sum(axes=[0])") >= 1, all);
    assertTrue(count(all, "], scalar tail: reduce [256] amax(axes=[0])") >= 1, all);
    assertTrue(count(all, "], scalar tail: reduce [256] sum(axes=[0, 1])") >= 1, all);
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
