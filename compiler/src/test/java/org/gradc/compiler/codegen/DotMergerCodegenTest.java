package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.gradc.compiler.Compilation;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.ops.MatMul;
import org.gradc.compiler.ir.ops.ScatterAdd;
import org.gradc.compiler.ir.ops.Sum;
import org.gradc.compiler.opt.CommonSubexpressions;
import org.gradc.compiler.opt.ConstantFolding;
import org.gradc.compiler.opt.DeadCode;
import org.gradc.compiler.opt.Pipeline;
import org.gradc.compiler.opt.Simplify;
import org.gradc.runtime.Model;
import org.junit.jupiter.api.Test;

/**
 * Products merged by {@code opt.DotMerger} through the code generator: stacked rows (forward and
 * input-gradient products as {@code [batch, T, n]} results, read back per step) and weight
 * gradients contracting over {@code batch·T} rows and bias gradients summing them, which the vector
 * back end blocks over k in packed panels ({@link VectorEmitter#K_BLOCK} = 128 rows at a time:
 * batch 7 × T = 20 is 140 rows, two blocks, the second partial; batch 1 one partial block).
 * Generated outputs, loss and gradients against the reference evaluator on the merged graph and on
 * the graph optimized without the merge, f32 and f64, scalar and vector back ends.
 */
class DotMergerCodegenTest {

  /** An LSTM language model whose gate width (32) and hidden width (8) fill whole vectors. */
  private static final String SEQ =
      """
      model Seq
      const T = 20
      const H = 8
      input  x: int[batch, T]
      input  y: int[batch, T]
      param  E:  float[7, 4]   = normal(0, 0.5)
      param  Wx: float[4, 32]  = glorot_uniform
      param  Wh: float[8, 32]  = glorot_uniform
      param  b:  float[32]     = zeros
      param  Wo: float[8, 7]   = glorot_uniform
      param  bo: float[7]      = zeros
      h[0] = zeros([batch, H])
      c[0] = zeros([batch, H])
      L[0] = 0
      for t in 0 .. T {
        z = embedding(E, x[:, t]) @ Wx + h[t] @ Wh + b
        c[t + 1] = sigmoid(z[:, H .. 2 * H]) * c[t] + sigmoid(z[:, 0 .. H]) * tanh(z[:, 2 * H .. 3 * H])
        h[t + 1] = sigmoid(z[:, 3 * H .. 4 * H]) * tanh(c[t + 1])
        o[t] = h[t + 1] @ Wo + bo
        L[t + 1] = L[t] + mean(cross_entropy(o[t], y[:, t], classes = 7))
      }
      output logits = stack(o[0 .. T], axis = 1)
      loss L[T] / T
      """;

  @Test
  void mergedProductsMatchTheEvaluator() throws Exception {
    SourceFile source = new SourceFile("seq.grad", SEQ);
    for (Precision p : Precision.values()) {
      TrainingGraph tg = Gradc.trainingGraph(source, p);
      long sums =
          tg.graph().nodes().stream()
              .filter(
                  n ->
                      n.op() instanceof MatMul mm
                          && mm.transposeA()
                          && n.input(0).shape().rank() == 3)
              .count();
      // dWx is the embedding-projection table's Eᵀ δ(EW), whose δ(EW) is one merged scatter-add
      assertTrue(sums == 2, "dWh and dWo merged: " + sums);
      assertEquals(
          1,
          tg.graph().nodes().stream()
              .filter(n -> n.op() instanceof ScatterAdd && n.input(0).shape().rank() == 2)
              .count(),
          "the steps' scatter-adds into δ(EW) merged");
      for (String bias : List.of("b", "bo")) {
        Node grad = tg.graph().gradients().get(bias);
        assertTrue(
            grad.op() instanceof Sum && grad.input(0).shape().rank() == 3,
            "the gradient of " + bias + " is one sum over stacked rows: " + grad);
      }
      Graph unmerged = withoutMerging(source, p);
      for (Backend backend : List.of(new ScalarBackend(), VectorBackend.forThisJvm())) {
        Model m = HiddenClasses.instantiate(Harness.generate(tg, p, backend));
        for (int batch : new int[] {7, 1, 4}) {
          Harness.compareWithEvaluator(m, tg.graph(), batch, batch * 13L, p);
          Harness.compareWithEvaluator(m, unmerged, batch, batch * 29L, p);
        }
      }
    }
  }

  /**
   * A weight gradient wide and tall enough for several chunks of columns and blocks of output rows
   * in the packed, k-blocked kernel ({@code ∂L/∂W}: 14 × 128 at every lane count, 14 rows leaving 2
   * past the last whole block of 4 or 6 rows, over {@code batch·11} rows: 13 → 143 rows, a full
   * panel and 15 rows; 24 → 264, two and 8; 1 → 11), and one whose columns end in a partial vector
   * ({@code ∂L/∂V}: 14 × 37, the unblocked kernel), with Adam's update as the epilogue; against the
   * evaluator, f32 and f64, at the JVM's vector width.
   */
  @Test
  void packedPanelsMatchTheEvaluator() throws Exception {
    SourceFile source =
        new SourceFile(
            "wide.grad",
            """
            model Wide
            const T = 11
            input  x: float[batch, T, 14]
            input  y: float[batch, T, 128]
            input  u: float[batch, T, 37]
            param  W: float[14, 128] = glorot_uniform
            param  V: float[14, 37]  = glorot_uniform
            L[0] = 0
            for t in 0 .. T {
              L[t + 1] = L[t] + mean(tanh(x[:, t] @ W) * y[:, t]) + mean((x[:, t] @ V) * u[:, t])
            }
            loss L[T] / T
            optimizer adam(lr = 0.01)
            """);
    for (Precision p : Precision.values()) {
      TrainingGraph tg = Gradc.trainingGraph(source, p);
      GeneratedClass code = Harness.generate(tg, p, VectorBackend.forThisJvm());
      long packed =
          code.kernels().values().stream().filter(k -> k.contains("packed panels")).count();
      assertTrue(packed >= 1, "the W gradient runs in packed panels (" + p + ")");
      Model m = HiddenClasses.instantiate(code);
      Model scalar = HiddenClasses.instantiate(Harness.generate(tg, p, new ScalarBackend()));
      for (int batch : new int[] {13, 24, 1}) {
        Harness.compareWithEvaluator(m, tg.graph(), batch, batch * 17L, p);
        Harness.compareWithEvaluator(scalar, tg.graph(), batch, batch * 17L, p);
      }
    }
  }

  /** The joint graph optimized by the standard passes but {@code DotMerger}. */
  private static Graph withoutMerging(SourceFile source, Precision p) throws Exception {
    Graph g = Compilation.of(source, Gradc.Options.defaults().withPrecision(p)).differentiated();
    Graph u =
        new Pipeline(
                List.of(
                    new ConstantFolding(),
                    new Simplify(),
                    new CommonSubexpressions(),
                    new DeadCode()))
            .run(g)
            .graph();
    for (Node n : u.nodes()) {
      assertTrue(!(n.op() instanceof MatMul) || n.input(0).shape().rank() == 2);
    }
    return u;
  }
}
