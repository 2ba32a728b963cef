package org.gradc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.compiler.ir.ops.Input;
import org.gradc.compiler.ir.ops.Param;
import org.gradc.compiler.opt.EmbeddingProjection;
import org.gradc.compiler.syntax.FrontEnd;
import org.junit.jupiter.api.Test;

/**
 * Backpropagation through time, checked against central finite differences in f64: indexing, stack,
 * embedding (with repeated ids, whose rows must accumulate), each recurrent cell of the prelude,
 * loops, and the whole unrolled Names model of issue 12 at T = 5.
 */
class SequenceGradientProperties {

  private static final String INPUTS =
      """
      model Check
      const T = 3
      input  x: float[batch, T, 4]
      input  ids: int[batch, T]
      input  r: float[batch, 5]
      input  r2: float[2, 5]
      """;

  private static final String PQ = "param p: float[3, 5] = zeros\nparam q: float[3, 5] = zeros\n";
  private static final String EMBED = "param E: float[6, 4] = zeros\n";
  private static final String H0 = "param h0: float[5] = zeros\nh[0] = zeros([batch, 5]) + h0\n";

  /** The parameters and the loss of one check, written after the inputs. */
  private static final List<String> CHECKS =
      List.of(
          // select (drops the axis), negative indices, ranges, missing trailing positions
          PQ + "loss sum(p[1] * q[-1]) + sum(p[0 .. 2, 1 .. 4] ^ 2) + sum(p[:, -2] * q[2, 0 .. 3])",
          PQ + "loss sum(p[-3 .. -1] * r2) + 0 * sum(q)",
          // stack of a family and of a list, along the new first and last axes
          PQ
              + "s[0] = p\ns[1] = p * q\ns[2] = tanh(q)\nloss sum(stack(s[0 .. 3], axis = 0)[1] * q)"
              + " + sum(stack([p, q], axis = -1)[:, :, 1])",
          // embedding of batched ids, which repeat: the scatter-add accumulates rows
          EMBED + "loss sum(embedding(E, ids) ^ 2) + sum(embedding(E, ids[:, 1]) * x[:, 0])",
          // recurrences through each cell: loops, families and x[:, t]
          H0
              + "param W: float[4, 5] = zeros\nparam U: float[5, 5] = zeros\nparam c: float[5] = zeros\n"
              + "for t in 0 .. T {\n  h[t + 1] = rnn_cell(x[:, t], h[t], W, U, c)\n}\n"
              + "loss sum(h[T] * r)",
          H0
              + "param W: float[4, 15] = zeros\nparam U: float[5, 15] = zeros\n"
              + "param bw: float[15] = zeros\nparam bu: float[15] = zeros\n"
              + "for t in 0 .. T {\n  h[t + 1] = gru_cell(x[:, t], h[t], W, U, bw, bu)\n}\n"
              + "loss sum(stack(h[1 .. T + 1], axis = 1)[:, -1] * r)",
          H0
              + EMBED
              + "param W: float[4, 20] = zeros\nparam U: float[5, 20] = zeros\n"
              + "param b: float[20] = zeros\nc[0] = ones([batch, 5])\nfor t in 0 .. T {\n"
              + "  c[t + 1] = lstm_c(embedding(E, ids[:, t]), h[t], c[t], W, U, b)\n"
              + "  h[t + 1] = lstm_h(embedding(E, ids[:, t]), h[t], c[t], W, U, b)\n}\n"
              + "loss sum(h[T] * r) + sum(c[T] * r) / 2");

  @Property(tries = 3)
  void indexingStackEmbeddingAndCells(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch) throws Exception {
    for (String check : CHECKS) {
      Graph g = FrontEnd.check(new SourceFile("check.grad", INPUTS + check), DType.F64).graph();
      // as Compilation differentiates: the embedding's projection in the LSTM check as a table
      g = new EmbeddingProjection().run(g);
      GradientCheck.check(g, randomValues(g, batch, new Random(seed), 6), batch);
    }
  }

  /** scatter_add (the embedding's gradient) has a VJP of its own, for second derivatives. */
  @Test
  void scatterAddHasAGradientToo() throws Exception {
    Graph.Builder b = Graph.builder().precision(DType.F64);
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    Node ids = e.input("ids", new TensorType(DType.I32, Shape.of(3, 2)));
    Node v = e.param("v", new TensorType(DType.F64, Shape.of(3, 2, 4)));
    Node r = e.input("r", new TensorType(DType.F64, Shape.of(5, 4)));
    Node s = e.scatterAdd(ids, v, 5);
    b.loss(e.sum(e.mul(e.mul(s, s), r), false));
    Graph g = b.build();
    GradientCheck.check(g, randomValues(g, 3, new Random(7), 5), 3);
  }

  /**
   * The model of issue 12 as written there, unrolled for T = 5: every gradient element that can be
   * nonzero is checked on a sample (the full tensors hold 150,000 elements), including every
   * embedding row the ids pick.
   */
  @Test
  void namesModelAtFiveSteps() throws Exception {
    String text =
        Files.readString(Path.of("src/test/resources/sequences/names.grad"))
            .replace("const T = 16", "const T = 5");
    Graph rows = FrontEnd.check(new SourceFile("names.grad", text), DType.F64).graph();
    // the training form Compilation differentiates, the projection of the embedding as a table
    // (5 ids per example: the rule's batch must be 52 or more for 256 rows)
    Graph g = new EmbeddingProjection(64).run(rows);
    assertNotSame(rows.loss(), g.loss(), "the table rewrite fired");
    int batch = 2;
    Random rnd = new Random(12);
    Map<String, double[]> values = randomValues(g, batch, rnd, 256);
    for (double[] v : values.values()) {
      for (int i = 0; i < v.length; i++) {
        v[i] = Math.rint(v[i]) == v[i] ? v[i] : v[i] * 0.3;
      }
    }
    Graph joint = Autodiff.differentiate(g);
    Evaluator.Result result = Evaluator.evaluate(joint, values, batch);
    double worst = 0;
    int checked = 0;
    for (String param : g.params().keySet()) {
      double[] analytic = result.gradient(param);
      int[] sample = new int[12];
      for (int k = 0; k < sample.length; k++) {
        sample[k] = rnd.nextInt(analytic.length);
      }
      if (param.equals("E")) {
        double[] x = values.get("x");
        for (int k = 0; k < sample.length; k++) {
          sample[k] = (int) x[k % x.length] * 64 + rnd.nextInt(64);
        }
      }
      for (int i : sample) {
        double numeric = GradientCheck.numeric(g, values, batch, param, i);
        double err = GradientCheck.relativeError(analytic[i], numeric);
        worst = Math.max(worst, err);
        assertTrue(
            err <= GradientCheck.TOLERANCE,
            param + "[" + i + "]: autodiff " + analytic[i] + ", finite differences " + numeric);
        checked++;
      }
    }
    assertTrue(checked >= 6 * 12, "checked " + checked);
  }

  /** Random values for every input and parameter; int inputs get ids in [0, ids). */
  static Map<String, double[]> randomValues(Graph g, int batch, Random rnd, int ids) {
    Map<String, double[]> values = new HashMap<>();
    for (Node n : g.nodes()) {
      String name =
          n.op() instanceof Input i
              ? i.inputName()
              : n.op() instanceof Param p ? p.paramName() : null;
      if (name == null) {
        continue;
      }
      double[] v = new double[(int) n.shape().size(batch)];
      for (int k = 0; k < v.length; k++) {
        v[k] = n.dtype() == DType.I32 ? rnd.nextInt(ids) : rnd.nextDouble() * 2 - 1;
      }
      values.put(name, v);
    }
    return values;
  }
}
