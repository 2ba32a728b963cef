package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradc.compiler.Gradc;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.ir.ops.Embedding;
import org.gradc.compiler.ir.ops.Param;
import org.gradc.compiler.ir.ops.ScatterAdd;
import org.gradc.runtime.Model;
import org.junit.jupiter.api.Test;

/**
 * Unrolled recurrences go through the code generator: loops, families, {@code x[:, t]},
 * constructors, stack and the prelude cells lower to slices, reshapes and concats; embeddings to a
 * row gather and a scatter-add; ids may be views of int inputs ({@code y[:, t]}). Generated
 * outputs, loss and gradients against the reference evaluator, f32 and f64.
 */
class SequenceCodegenTest {

  private static final String RNN =
      """
      model Rnn
      const T = 6
      const D = 3
      const H = 5
      input  x: float[batch, T, D]
      input  y: int[batch]
      param  Wx: float[D, H] = glorot_uniform
      param  Wh: float[H, H] = glorot_uniform
      param  b:  float[H] = zeros
      param  Wo: float[H, 4] = glorot_uniform
      h[0] = zeros([batch, H])
      for t in 0 .. T {
        h[t + 1] = rnn_cell(x[:, t], h[t], Wx, Wh, b)
      }
      output states = stack(h[1 .. T + 1], axis = 1)
      loss mean(cross_entropy(h[T] @ Wo, y, classes = 4)) + 0.1 * mean(states[:, -2, 1 .. 3])
      """;

  private static final String LSTM =
      """
      model Lstm
      const T = 4
      input  x: float[batch, T, 3]
      input  target: float[batch, 5]
      param  Wx: float[3, 20] = glorot_uniform
      param  Wh: float[5, 20] = glorot_uniform
      param  b:  float[20] = zeros
      h[0] = zeros([batch, 5])
      c[0] = full([batch, 5], 0.5)
      for t in 0 .. T {
        c[t + 1] = lstm_c(x[:, t], h[t], c[t], Wx, Wh, b)
        h[t + 1] = lstm_h(x[:, t], h[t], c[t], Wx, Wh, b)
      }
      loss mse(h[T], target)
      """;

  private static final String GRU =
      """
      model Gru
      const T = 3
      input  x: float[batch, T, 2]
      param  W: float[2, 12] = glorot_uniform
      param  U: float[4, 12] = glorot_uniform
      param  bw: float[12] = zeros
      param  bu: float[12] = ones
      h[0] = ones([batch, 4])
      for t in 0 .. T {
        h[t + 1] = gru_cell(x[:, t], h[t], W, U, bw, bu)
      }
      loss mean(h[T] ^ 2)
      """;

  /** Ids read through {@code x[:, t]} by embedding, cross_entropy and one_hot; ids repeat. */
  private static final String EMBEDDED =
      """
      model Embedded
      const T = 3
      input  x: int[batch, T]
      input  y: int[batch, T]
      param  E:  float[5, 4] = normal(0, 0.5)
      param  Wx: float[4, 6] = glorot_uniform
      param  Wh: float[6, 6] = glorot_uniform
      param  b:  float[6] = zeros
      h[0] = zeros([batch, 6])
      L[0] = 0
      for t in 0 .. T {
        h[t + 1] = rnn_cell(embedding(E, x[:, t]), h[t], Wx, Wh, b)
        L[t + 1] = L[t] + mean(cross_entropy(h[t + 1][:, 0 .. 5], y[:, t], classes = 5))
          + 0.1 * mean(one_hot(x[:, t], classes = 5) * h[t + 1][:, 1 .. 6])
      }
      output rows = embedding(E, x)
      loss L[T] / T + mean(embedding(E, x[:, 1 .. 3]) ^ 2)
      """;

  /** Issue 12's byte-level LSTM language model at T = 3, with H = 8 and a 12-wide embedding. */
  private static final String NAMES_SMALL =
      """
      model NamesSmall
      const T = 3
      const H = 8
      input  x: int[batch, T]
      input  y: int[batch, T]
      param  E:  float[256, 12]     = normal(0, 0.1)
      param  Wx: float[12, 32]      = glorot_uniform
      param  Wh: float[8, 32]       = glorot_uniform
      param  b:  float[32]          = zeros
      param  Wo: float[8, 256]      = glorot_uniform
      param  bo: float[256]         = zeros
      h[0] = zeros([batch, H])
      c[0] = zeros([batch, H])
      L[0] = 0
      for t in 0 .. T {
        z = embedding(E, x[:, t]) @ Wx + h[t] @ Wh + b
        c[t + 1] = sigmoid(z[:, H .. 2 * H]) * c[t] + sigmoid(z[:, 0 .. H]) * tanh(z[:, 2 * H .. 3 * H])
        h[t + 1] = sigmoid(z[:, 3 * H .. 4 * H]) * tanh(c[t + 1])
        L[t + 1] = L[t] + mean(cross_entropy(h[t + 1] @ Wo + bo, y[:, t], classes = 256))
      }
      loss L[T] / T
      """;

  /**
   * {@link #NAMES_SMALL} over 12 ids, with an output: 3 ids per example · 32 ≥ 12 rows, so its
   * training roles look up the table {@code E @ Wx} ({@code opt.EmbeddingProjection}) and its
   * evaluation roles (the output, the evaluation loss) the embedding's rows.
   */
  private static final String NAMES_TABLE =
      NAMES_SMALL
              .replace("model NamesSmall", "model NamesTable")
              .replace("float[256, 12]", "float[12, 12]")
              .replace("float[8, 256]", "float[8, 12]")
              .replace("float[256]", "float[12]")
              .replace("classes = 256", "classes = 12")
          + "output next = h[T] @ Wo + bo\n";

  @Test
  void namesLanguageModelWithTheProjectionTable() throws Exception {
    for (Precision p : Precision.values()) {
      checkEveryBackend("names_table.grad", NAMES_TABLE, p);
    }
  }

  /**
   * The training entries compute the table form only, the evaluation entries the row form only: no
   * kernel the training step calls looks up rows of {@code E} itself, and none that {@code
   * runForward} or {@code runEvaluate} calls looks up the table or scatters into it.
   */
  @Test
  void eachEntryComputesOneFormOfTheEmbeddingProjection() throws Exception {
    SourceFile source = new SourceFile("names_table.grad", NAMES_TABLE);
    TrainingGraph tg = Gradc.trainingGraph(source, Precision.F32);
    FusionPlan plan = FusionPlan.plan(tg.graph(), BufferLayout.roleNodes(tg.graph()));
    byte[] bytes =
        org.gradc.compiler.Compilation.of(source, Gradc.Options.defaults()).generate().bytes();
    java.util.function.Predicate<org.gradc.compiler.ir.Node> rows =
        n -> n.op() instanceof Embedding && n.input(0).op() instanceof Param;
    java.util.function.Predicate<org.gradc.compiler.ir.Node> table =
        n ->
            (n.op() instanceof Embedding && !(n.input(0).op() instanceof Param))
                || n.op() instanceof ScatterAdd;
    assertEquals(0, groupsCalled(plan, bytes, "runTrainStep", rows));
    assertEquals(0, groupsCalled(plan, bytes, "runGradients", rows));
    assertEquals(
        1,
        groupsCalled(plan, bytes, "runTrainStep", n -> n.op() instanceof ScatterAdd),
        "the steps' scatter-adds into δ(EW), merged");
    assertEquals(0, groupsCalled(plan, bytes, "runForward", table));
    assertEquals(0, groupsCalled(plan, bytes, "runEvaluate", table));
    assertTrue(groupsCalled(plan, bytes, "runEvaluate", rows) >= 1, "row lookups");
  }

  /** The nodes a group's kernel computes: its own and the unstored ones it inlines. */
  private static java.util.Set<org.gradc.compiler.ir.Node> computed(
      FusionPlan plan, FusionPlan.Group g) {
    java.util.Set<org.gradc.compiler.ir.Node> out = new java.util.HashSet<>(g.nodes());
    java.util.Deque<org.gradc.compiler.ir.Node> work = new java.util.ArrayDeque<>(g.nodes());
    while (!work.isEmpty()) {
      for (org.gradc.compiler.ir.Node in : work.pop().inputs()) {
        if (!plan.stored(in) && out.add(in)) {
          work.push(in);
        }
      }
    }
    return out;
  }

  /** How many of the groups whose kernels {@code method} calls hold a node {@code p} accepts. */
  private static long groupsCalled(
      FusionPlan plan,
      byte[] bytes,
      String method,
      java.util.function.Predicate<org.gradc.compiler.ir.Node> p) {
    java.util.Set<Integer> called = new java.util.HashSet<>();
    java.util.regex.Pattern kernel = java.util.regex.Pattern.compile("^k(\\d+)");
    for (String m : EvaluateSharingTest.calls(bytes, method)) {
      java.util.regex.Matcher k = kernel.matcher(m);
      if (k.find()) {
        called.add(Integer.parseInt(k.group(1)));
      }
    }
    assertTrue(!called.isEmpty(), method + " calls kernels");
    return plan.groups.stream()
        .filter(g -> called.contains(g.index()) && computed(plan, g).stream().anyMatch(p))
        .count();
  }

  @Test
  void embeddingWithIdsThroughViews() throws Exception {
    check("embedded.grad", EMBEDDED);
  }

  @Test
  void namesLanguageModel() throws Exception {
    check("names_small.grad", NAMES_SMALL);
  }

  /**
   * The four gates of each step read slices of the matmul's {@code z}, which none of them can join,
   * and run in one pointwise kernel (FusionPlan's sibling rule), not one kernel each.
   */
  @Test
  void anLstmStepsGatesAreOnePass() throws Exception {
    FusionPlan plan = plan("names.grad", NAMES_SMALL, Precision.F32);
    java.util.Set<FusionPlan.Group> gateGroups = new java.util.HashSet<>();
    int gates = 0;
    for (FusionPlan.Group g : plan.groups) {
      for (org.gradc.compiler.ir.Node m : g.members()) {
        boolean gate =
            (m.op() instanceof org.gradc.compiler.ir.ops.Sigmoid
                    || m.op() instanceof org.gradc.compiler.ir.ops.Tanh)
                && m.input(0).op() instanceof org.gradc.compiler.ir.ops.Slice;
        if (gate) {
          gates++;
          gateGroups.add(g);
        }
      }
    }
    assertEquals(4 * 3, gates); // T = 3
    assertEquals(3, gateGroups.size(), "one kernel per step for its four gates");
  }

  /**
   * H = 64: the gates' cotangents are one concat (opt.Simplify) that the backward cell's epilogue
   * stores into at offsets 0, H, 2H, 3H of a row, a multiple of every lane count apart, so the
   * epilogue is vectorized with four stores into one array; against the evaluator, with this JVM's
   * vector width.
   */
  @Test
  void namesLanguageModelWithGatesAVectorApart() throws Exception {
    String text =
        NAMES_SMALL
            .replace("const T = 3", "const T = 2")
            .replace("const H = 8", "const H = 64")
            .replace("float[8, 32]", "float[64, 256]")
            .replace("float[12, 32]", "float[12, 256]")
            .replace("float[32]", "float[256]")
            .replace("float[8, 256]", "float[64, 256]");
    check("names64.grad", text);
  }

  /**
   * {@code x} is read only through {@code x[:, t]} by an embedding of 5 rows and by one_hot of 5
   * classes; its range reaches the spec, so {@code feed} rejects 5 and names the input and value.
   */
  @Test
  void idsReadThroughASliceAreRangeCheckedAtFeed() throws Exception {
    String text = EMBEDDED.replace("output rows = embedding(E, x)\n", "");
    TrainingGraph tg = Gradc.trainingGraph(new SourceFile("embedded.grad", text), Precision.F32);
    // the training step looks x up in the table E @ Wx (EmbeddingProjection), still 5 rows
    assertTrue(
        tg.graph().nodes().stream()
            .anyMatch(n -> n.op() instanceof Embedding && !(n.input(0).op() instanceof Param)));
    Model m = HiddenClasses.instantiate(Harness.generate(tg, Precision.F32));
    assertEquals(
        5,
        m.spec().tensors().stream()
            .filter(t -> t.name().equals("x"))
            .findFirst()
            .orElseThrow()
            .classes());
    m.feed("x", new int[] {0, 4, 2, 3, 1, 0});
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> m.feed("x", new int[] {0, 1, 2, 5, 0, 0}));
    assertEquals("input 'x': value 5 at index 3 is outside [0, 5)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> m.feed("y", new int[] {0, 1, 2, -1, 0, 0}));
  }

  /**
   * {@code stack} of 200 slices of an input is one concat with a copy per step (an input's views
   * cannot be written in place), too large for one method under any unroll policy: the generator
   * splits it into methods over halves (each under the budget), called in order from the kernel's
   * method, and the result still matches the evaluator.
   */
  @Test
  void stackOfManyStepsIsSplitAcrossMethods() throws Exception {
    String text =
        """
        model LongStack
        const T = 200
        input  x: float[batch, T, 2]
        param  W: float[2, 2] = glorot_uniform
        h[0] = zeros([batch, 2])
        for t in 0 .. T {
          h[t + 1] = tanh(h[t] @ W + x[:, t])
          s[t] = x[:, t]
        }
        output states = stack(h[1 .. T + 1], axis = 1)
        output inputs = stack(s[0 .. T], axis = 1)
        loss mean(states ^ 2)
        """;
    TrainingGraph tg = Gradc.trainingGraph(new SourceFile("long.grad", text), Precision.F32);
    GeneratedClass c = Harness.generate(tg, Precision.F32);
    assertTrue(
        c.kernels().keySet().stream().anyMatch(k -> k.endsWith("_a")),
        "a split kernel: " + c.kernels().keySet());
    for (java.util.Map.Entry<String, Integer> e : MethodSizes.of(c.bytes()).entrySet()) {
      assertTrue(e.getValue() <= MethodSizes.HUGE_METHOD_LIMIT, e.getKey() + ": " + e.getValue());
    }
    check("long.grad", text);
  }

  /**
   * An element-wise recurrence fuses step after step into one pointwise group; the group's bound
   * must hold in bytes, not members: at T = 48 an f64 chain (two local slots a value, wider loads)
   * overflowed the 8,000-byte method limit under the member-count bound. Every width and precision,
   * both back ends, against the evaluator, and every method under the limit.
   */
  @Test
  void longElementwiseRecurrenceStaysUnderTheMethodLimit() throws Exception {
    for (int[] tw : new int[][] {{48, 1}, {130, 37}}) {
      String text =
          """
          model Recur
          const T = %d
          input  x: float[batch, %d]
          param  a: float[%d] = uniform(-0.9, 0.9)
          param  b: float[%d] = uniform(-0.5, 0.5)
          h[0] = x
          for t in 0 .. T {
            h[t + 1] = tanh(h[t] * a + b)
          }
          loss mean(h[T] ^ 2)
          """
              .formatted(tw[0], tw[1], tw[1], tw[1]);
      for (Precision p : Precision.values()) {
        TrainingGraph tg = Gradc.trainingGraph(new SourceFile("recur.grad", text), p);
        for (Backend backend :
            new Backend[] {
              new ScalarBackend(), new VectorBackend(16, 8), new VectorBackend(4, 2)
            }) {
          GeneratedClass c = Harness.generate(tg, p, backend);
          for (java.util.Map.Entry<String, Integer> e : MethodSizes.of(c.bytes()).entrySet()) {
            assertTrue(
                e.getValue() <= MethodSizes.HUGE_METHOD_LIMIT,
                "T = " + tw[0] + ", " + p + ": " + e.getKey() + " has " + e.getValue());
          }
        }
        SourceDifferentialTest.check(new SourceFile("recur.grad", text), p);
      }
    }
  }

  /**
   * A concat's operands that kernels of their own compute are stored into the concat's buffer by
   * those kernels (a matmul's epilogue, a pointwise group), along the last axis, a middle one and
   * one that makes the stores strided, mixed with an input's view that the concat still copies; the
   * concat's buffer is also read by the loss. Planned in place, and equal to the evaluator.
   */
  @Test
  void concatOperandsAreWrittenInPlace() throws Exception {
    String text =
        """
        model InPlace
        const T = 5
        input  x: float[batch, T, 3]
        param  W: float[3, 3] = glorot_uniform
        param  c: float[3] = uniform(-0.5, 0.5)
        h[0] = zeros([batch, 3])
        for t in 0 .. T {
          h[t + 1] = tanh(h[t] @ W + x[:, t] + c)
          o[t] = h[t + 1] @ W + c
        }
        output logits = stack(o[0 .. T], axis = 1)
        output mixed = concat(h[T] * 2, x[:, 0], axis = 1)
        loss mean(logits ^ 2) + mean(stack(h[1 .. T + 1], axis = 2) * c[0]) + mean(mixed)
        """;
    for (Precision p : Precision.values()) {
      FusionPlan plan = plan("inplace.grad", text, p);
      int inPlace = 0;
      int copied = 0;
      for (org.gradc.compiler.ir.Node n : plan.needed) {
        if (n.op() instanceof org.gradc.compiler.ir.ops.Concat) {
          for (int k = 0; k < n.inputs().size(); k++) {
            if (plan.writtenInPlace(n, k)) {
              inPlace++;
            } else {
              copied++;
            }
          }
        }
      }
      // logits' 5 and the states' 5 in place, and h[T] * 2; x[:, 0] copied (the backward's
      // concats of cotangent slices are counted too)
      assertTrue(inPlace >= 11, "in place: " + inPlace);
      assertTrue(copied >= 1, "copied: " + copied);
      checkEveryBackend("inplace.grad", text, p);
    }
  }

  /**
   * A stack of concats whose parts kernels of their own compute ({@code z[t]}) is assembled by
   * those kernels: each part is stored into its concat and into the stack, the stack copies
   * nothing, and a part nothing else reads ({@code h * c}; {@code sigmoid(h)} is read by its
   * derivative) has no buffer of its own. A stack of concats with a copied part ({@code m[t]} holds
   * {@code x[:, t]}) takes each concat whole from its kernel. One concat is also read alone by the
   * loss. Equal to the evaluator, f32 and f64, scalar and at three vector shapes.
   */
  @Test
  void concatsOfConcatsAreWrittenInPlaceThroughTheirParts() throws Exception {
    String text =
        """
        model Nested
        const T = 4
        input  x: float[batch, T, 3]
        param  W: float[3, 3] = glorot_uniform
        param  c: float[3] = uniform(-0.5, 0.5)
        h[0] = zeros([batch, 3])
        for t in 0 .. T {
          h[t + 1] = tanh(h[t] @ W + x[:, t] + c)
          z[t] = concat(h[t + 1] * c, sigmoid(h[t + 1]), axis = 1)
          m[t] = concat(h[t + 1] * 2, x[:, t], axis = 1)
        }
        output zs = stack(z[0 .. T], axis = 1)
        output ms = stack(m[0 .. T], axis = 2)
        loss mean(zs ^ 2) + mean(z[T - 1]) + mean(ms * 0.5)
        """;
    for (Precision p : Precision.values()) {
      FusionPlan plan = plan("nested.grad", text, p);
      int nested = 0;
      int unstored = 0;
      java.util.Set<org.gradc.compiler.ir.Node> assembled = new java.util.HashSet<>();
      for (FusionPlan.ConcatSlot s : plan.concatSlots()) {
        if (s.inner() != null) {
          nested++;
          assembled.add(s.concat());
        }
        if (!plan.stored(s.value())) {
          unstored++;
        }
      }
      assertTrue(nested >= 2 * 4, "parts of z[t] stored into zs: " + nested);
      assertTrue(unstored >= 4, "parts without a buffer: " + unstored);
      for (org.gradc.compiler.ir.Node c : assembled) {
        for (int k = 0; k < c.inputs().size(); k++) {
          assertTrue(plan.writtenInPlace(c, k), "input " + k + " of " + c + " copied");
        }
      }
      checkEveryBackend("nested.grad", text, p);
    }
  }

  /**
   * The Names step's stacked cotangent {@code δZ} (the merged weight gradients' operand) is
   * assembled by the kernels computing the gates' cotangents: no concat copies a step's {@code δz},
   * and the gate cotangents are stored only into {@code δz} and the stack.
   */
  @Test
  void namesStackedCotangentIsAssembledByTheGates() throws Exception {
    FusionPlan plan = plan("names.grad", NAMES_SMALL, Precision.F32);
    int nested = 0;
    for (FusionPlan.ConcatSlot s : plan.concatSlots()) {
      if (s.inner() != null) {
        nested++;
        for (int k = 0; k < s.concat().inputs().size(); k++) {
          assertTrue(plan.writtenInPlace(s.concat(), k), "stack input " + k + " copied");
        }
      }
    }
    assertEquals(4 * 3, nested, "four gates a step into the stack, T = 3");
  }

  @Test
  void rnnOverAFloatSequence() throws Exception {
    check("rnn.grad", RNN);
  }

  @Test
  void lstmOverAFloatSequence() throws Exception {
    check("lstm.grad", LSTM);
  }

  @Test
  void gruOverAFloatSequence() throws Exception {
    check("gru.grad", GRU);
  }

  private static void check(String name, String text) throws Exception {
    for (Precision p : Precision.values()) {
      SourceDifferentialTest.check(new SourceFile(name, text), p);
    }
  }

  /** The fusion plan of the training graph of {@code text}. */
  private static FusionPlan plan(String name, String text, Precision p) throws Exception {
    TrainingGraph tg = Gradc.trainingGraph(new SourceFile(name, text), p);
    return FusionPlan.plan(tg.graph(), BufferLayout.roleNodes(tg.graph()));
  }

  /** {@code text}'s generated code against the evaluator, scalar and at three vector shapes. */
  private static void checkEveryBackend(String name, String text, Precision p) throws Exception {
    for (Backend backend :
        new Backend[] {new ScalarBackend(), new VectorBackend(16, 8), new VectorBackend(4, 2)}) {
      SourceDifferentialTest.check(new SourceFile(name, text), p, backend);
    }
  }
}
