package org.gradc.compiler.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gradc.compiler.autodiff.Autodiff;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.IdBounds;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ops.Embedding;
import org.gradc.compiler.ir.ops.MatMul;
import org.gradc.compiler.ir.ops.Sigmoid;
import org.gradc.compiler.ir.ops.Tanh;
import org.junit.jupiter.api.Test;

/** Loops, indexed names, indexing, constructors and stack through the front end. */
class SequenceTest {
  static final Path NAMES = Path.of("src/test/resources/sequences/names.grad");

  static Graph check(String text) throws CompileException {
    return FrontEnd.check(new SourceFile("m.grad", text), DType.F64).graph();
  }

  static List<Diagnostic> errors(String text) {
    CompileException e = assertThrows(CompileException.class, () -> check(text));
    return e.diagnostics().stream().filter(Diagnostic::isError).toList();
  }

  static Diagnostic onlyError(String text) {
    List<Diagnostic> errors = errors(text);
    assertEquals(1, errors.size(), errors.toString());
    return errors.get(0);
  }

  static long count(Graph g, Class<?> op) {
    return g.nodes().stream().filter(n -> op.isInstance(n.op())).count();
  }

  /** The Names model of issue 12 with {@code T} steps. */
  static String names(int t) throws Exception {
    return Files.readString(NAMES).replace("const T = 16", "const T = " + t);
  }

  @Test
  void namesModelChecks() throws Exception {
    Graph g = check(names(16));
    assertEquals(16, count(g, Embedding.class));
    assertEquals(Shape.SCALAR, g.loss().shape());
    // x reaches its embeddings through x[:, t]; the runtime rejects ids outside [0, 256) at feed
    assertEquals(256, IdBounds.of(g, g.inputs().get("x")));
    assertEquals(256, IdBounds.of(g, g.inputs().get("y")));
  }

  /**
   * Elaboration is linear in T: every step adds the same number of nodes, forward and joint, so
   * hash-consing never compares a step against all earlier ones' worth of work per node.
   */
  @Test
  void graphGrowsLinearlyInTheNumberOfSteps() throws Exception {
    int[] forward = new int[4];
    int[] joint = new int[4];
    int[] steps = {10, 11, 1000, 1001};
    for (int i = 0; i < steps.length; i++) {
      Graph g = check(names(steps[i]));
      forward[i] = g.nodes().size();
      // the joint graph at T = 1000 takes seconds on a loaded machine: T = 200 shows the same
      joint[i] = Autodiff.differentiate(i < 2 ? g : check(names(steps[i] - 800))).nodes().size();
    }
    assertEquals(forward[1] - forward[0], forward[3] - forward[2]);
    assertEquals(joint[1] - joint[0], joint[3] - joint[2]);
    assertTrue(forward[2] < 40 * 1000, "forward nodes at T = 1000: " + forward[2]);
  }

  @Test
  void loopBodiesHaveTheirOwnScopeAndNest() throws Exception {
    Graph g =
        check(
            """
            model M
            input x: float[batch, 3, 4]
            param w: float[4] = ones
            s[0] = 0
            for i in 0 .. 3 {
              for j in 0 .. 4 {
                v = x[:, i, j] * w[j]
                s[4 * i + j + 1] = s[4 * i + j] + v
              }
            }
            loss mean(s[12])
            """);
    assertEquals(Shape.SCALAR, g.loss().shape());
  }

  @Test
  void indexingSelectsSlicesAndCountsFromTheEnd() throws Exception {
    Graph g =
        check(
            """
            model M
            input x: float[batch, 5, 6]
            a = x[:, -1]
            b = x[:, 1 .. 3, 2]
            c = x[:, 0 .. -2]
            output a
            output b
            output c
            output d = x[:, 4, -6]
            loss mean(a) + mean(b) + mean(c) + mean(d)
            """);
    assertEquals(Shape.batched(6), g.outputs().get("a").shape());
    assertEquals(Shape.batched(2), g.outputs().get("b").shape());
    assertEquals(Shape.batched(3, 6), g.outputs().get("c").shape());
    assertEquals(Shape.batched(), g.outputs().get("d").shape());
  }

  @Test
  void constructorsAndStack() throws Exception {
    Graph g =
        check(
            """
            model M
            const T = 3
            input x: float[batch, 2]
            h[0] = zeros([batch, 2])
            for t in 0 .. T {
              h[t + 1] = h[t] + x * full([2], 0.5) + ones([batch, 2])
            }
            output s = stack(h[1 .. T + 1], axis = 1)
            output r = stack([x, x], axis = -1)
            loss mean(s)
            """);
    assertEquals(Shape.batched(3, 2), g.outputs().get("s").shape());
    assertEquals(Shape.batched(2, 2), g.outputs().get("r").shape());
  }

  @Test
  void lstmHalvesShareTheirGates() throws Exception {
    Graph g =
        check(
            """
            model M
            const T = 4
            input x: float[batch, T, 3]
            param Wx: float[3, 20] = glorot_uniform
            param Wh: float[5, 20] = glorot_uniform
            param b: float[20] = zeros
            h[0] = zeros([batch, 5])
            c[0] = zeros([batch, 5])
            for t in 0 .. T {
              c[t + 1] = lstm_c(x[:, t], h[t], c[t], Wx, Wh, b)
              h[t + 1] = lstm_h(x[:, t], h[t], c[t], Wx, Wh, b)
            }
            loss mean(h[T])
            """);
    // one x Wx and one h Wh per step (the first h is zeros, still a product), 3 sigmoids
    // (i, f, o) and 2 tanhs (g, c'): lstm_h reuses lstm_c's gates rather than recomputing them
    assertEquals(2 * 4, count(g, MatMul.class));
    assertEquals(3 * 4, count(g, Sigmoid.class));
    assertEquals(2 * 4, count(g, Tanh.class));
  }

  @Test
  void theLstmCellMatchesTheHandWrittenStep() throws Exception {
    String decl =
        """
        model M
        input x: float[batch, 3]
        input h: float[batch, 5]
        input c: float[batch, 5]
        param Wx: float[3, 20] = glorot_uniform
        param Wh: float[5, 20] = glorot_uniform
        param b: float[20] = zeros
        z = x @ Wx + h @ Wh + b
        """;
    Graph cell = check(decl + "output o = lstm_h(x, h, c, Wx, Wh, b)\nloss mean(o)\n");
    Graph hand =
        check(
            decl
                + "output o = sigmoid(z[:, 15 .. 20])\n"
                + "  * tanh(sigmoid(z[:, 5 .. 10]) * c + sigmoid(z[:, 0 .. 5]) * tanh(z[:, 10 .. 15]))\n"
                + "loss mean(o)\n");
    assertEquals(hand.toText().replace("%", ""), cell.toText().replace("%", ""));
  }

  @Test
  void undefinedMemberNamesTheIndexAndTheDefinedRange() {
    Diagnostic d =
        onlyError(
            """
            model M
            input x: float[batch, 2]
            h[0] = x
            for t in 0 .. 16 {
              h[t + 1] = h[t] * 2
            }
            loss mean(h[17])
            """);
    assertEquals("E0803", d.code());
    assertEquals("`h[17]` is not defined; `h` has 0 .. 16", d.message());
    assertEquals(7, d.span().line());
  }

  @Test
  void memberDefinedTwice() {
    Diagnostic d =
        onlyError(
            """
            model M
            input x: float[batch, 2]
            h[0] = x
            for t in 0 .. 3 {
              h[t] = x
            }
            loss mean(h[0])
            """);
    assertEquals("E0804", d.code());
    assertEquals("`h[0]` is already defined", d.message());
    assertEquals(5, d.span().line());
  }

  @Test
  void declarationsInsideALoopAreLocatedErrors() {
    List<Diagnostic> es =
        errors(
            """
            model M
            input x: float[batch, 2]
            for t in 0 .. 2 {
              param W: float[2] = zeros
              loss mean(x)
              optimizer sgd
              output o = x
            }
            loss mean(x)
            """);
    assertEquals(4, es.size(), es.toString());
    for (Diagnostic d : es) {
      assertEquals("E0801", d.code());
    }
    assertEquals("`param` cannot be inside a loop", es.get(0).message());
    assertEquals(4, es.get(0).span().line());
    assertEquals(3, es.get(0).span().column());
  }

  @Test
  void indexingErrors() {
    String decl = "model M\ninput x: float[batch, 4]\n";
    assertEquals("E0806", onlyError(decl + "loss mean(x[0])\n").code());
    assertEquals("E0806", onlyError(decl + "loss mean(x[:, 4])\n").code());
    assertEquals("E0806", onlyError(decl + "loss mean(x[:, 0, 0])\n").code());
    assertEquals("E0806", onlyError(decl + "loss mean(x[:, 3 .. 2])\n").code());
    assertEquals("E0802", onlyError(decl + "loss mean(x[:, x])\n").code());
    assertEquals("E0802", onlyError(decl + "for t in 0 .. 2.5 {\n}\nloss mean(x)\n").code());
    assertEquals("E0805", onlyError(decl + "h[0] = x\nloss mean(h)\n").code());
    assertEquals("E0805", onlyError(decl + "h[0] = x\nloss mean(h[:])\n").code());
    assertEquals(
        "the batch axis only takes `:`", onlyError(decl + "loss mean(x[0, :])\n").message());
  }

  @Test
  void loopNamesAreNewInTheirScope() {
    String decl = "model M\ninput x: float[batch, 4]\n";
    assertEquals("E0103", onlyError(decl + "for x in 0 .. 2 {\n}\nloss mean(x)\n").code());
    assertEquals(
        "E0103",
        onlyError(decl + "for t in 0 .. 2 {\n  for t in 0 .. 2 {\n  }\n}\nloss mean(x)\n").code());
    assertEquals("E0103", onlyError(decl + "for t in 0 .. 2 {\n  x = 1\n}\nloss mean(x)\n").code());
    // a loop's plain names do not leak out of it
    assertEquals("E0101", onlyError(decl + "for t in 0 .. 2 {\n  v = x\n}\nloss mean(v)\n").code());
  }

  @Test
  void rangesOfTwoDotsNeedNoSpaces() throws Exception {
    Graph g =
        check(
            """
            model M
            input x: float[batch, 6]
            for t in 0..2 {
              s[t] = x[:, 2..4] * 1.5
            }
            loss mean(s[1])
            """);
    assertEquals(Shape.SCALAR, g.loss().shape());
  }

  @Test
  void idsReadThroughViewsGetTheSmallestBound() throws Exception {
    Graph g =
        check(
            """
            model M
            input ids: int[batch, 3]
            param E: float[10, 2] = zeros
            param F: float[7, 2] = zeros
            loss mean(embedding(E, ids[:, 0])) + mean(embedding(F, ids[:, 1 .. 3]))
            """);
    Node ids = g.inputs().get("ids");
    assertEquals(7, IdBounds.of(g, ids));
    assertSame(ids, g.inputs().get("ids"));
  }
}
