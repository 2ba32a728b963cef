package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gradc.compiler.Compilation;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.autodiff.GradientCheck;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.ops.DropoutMask;
import org.gradc.compiler.ir.ops.Mean;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Train and eval modes: dropout, batch norm (with model states), layer norm; the evaluation graph
 * free of dropout and batch statistics; gradients against finite differences with the mask fixed;
 * generated code against the evaluator in both modes; inference-only classes.
 */
class ModesTest {
  static final Path MODEL = Path.of("src/test/resources/models/modes_mlp.grad");

  static SourceFile source() throws Exception {
    return Gradc.read(MODEL);
  }

  static SourceFile model(String body) {
    return new SourceFile("m.grad", "model M\n" + body);
  }

  /** The nodes {@code roots} depend on. */
  static java.util.Set<Node> reach(java.util.Collection<Node> roots) {
    java.util.Set<Node> seen = new java.util.HashSet<>();
    java.util.ArrayDeque<Node> work = new java.util.ArrayDeque<>(roots);
    while (!work.isEmpty()) {
      Node n = work.pop();
      if (seen.add(n)) {
        work.addAll(n.inputs());
      }
    }
    return seen;
  }

  @Test
  void evaluationGraphHasNoDropoutNorBatchStatistics() throws Exception {
    Graph g = Compilation.of(source(), Gradc.Options.defaults()).forward();
    List<Node> evalRoots = new java.util.ArrayList<>(g.outputs().values());
    evalRoots.add(g.evalLoss());
    for (Node n : reach(evalRoots)) {
      assertFalse(n.op() instanceof DropoutMask, "evaluation reads a dropout mask: " + n);
    }
    for (Node n : reach(g.outputs().values())) {
      assertFalse(
          n.op() instanceof Mean m && m.axes().contains(0),
          "evaluation computes a batch statistic: " + n);
    }
    long masks =
        reach(List.of(g.loss())).stream().filter(n -> n.op() instanceof DropoutMask).count();
    assertEquals(2, masks, "training draws one mask per dropout call");
    assertEquals(List.of("mu1", "var1"), List.copyOf(g.updates().keySet()));
    assertNotEquals(g.loss(), g.evalLoss());
  }

  @Test
  void twoDropoutCallsOnOneTensorAreTwoMasks() throws Exception {
    Graph g =
        Compilation.of(
                model(
                    "input x: float[batch, 4]\nparam w: float[4] = ones\n"
                        + "loss mean(dropout(x * w) + dropout(x * w))\n"),
                Gradc.Options.defaults())
            .forward();
    long masks = g.nodes().stream().filter(n -> n.op() instanceof DropoutMask).count();
    assertEquals(2, masks);
  }

  @Test
  void modelWithoutModesHasOneGraph() throws Exception {
    Graph g =
        Compilation.of(
                model("input x: float[batch, 4]\nparam w: float[4] = ones\nloss mean(x * w)\n"),
                Gradc.Options.defaults())
            .forward();
    assertFalse(g.hasModes());
    assertEquals(g.loss(), g.evalLoss());
  }

  /** Training-mode gradients (masks fixed by the key) against finite differences, in f64. */
  @Test
  void trainingGradientsMatchFiniteDifferences() throws Exception {
    Graph g =
        Compilation.of(source(), Gradc.Options.defaults().withPrecision(Precision.F64)).forward();
    Random r = new Random(5);
    int batch = 5;
    Map<String, double[]> values = new LinkedHashMap<>();
    for (Map.Entry<String, Node> e : g.inputs().entrySet()) {
      double[] v = new double[(int) e.getValue().shape().size(batch)];
      for (int i = 0; i < v.length; i++) {
        v[i] = e.getKey().equals("y") ? r.nextInt(4) : r.nextGaussian();
      }
      values.put(e.getKey(), v);
    }
    for (Map<String, Node> leaves : List.of(g.params(), g.states())) {
      for (Map.Entry<String, Node> e : leaves.entrySet()) {
        double[] v = new double[(int) e.getValue().shape().size(1)];
        for (int i = 0; i < v.length; i++) {
          v[i] = 0.5 + r.nextDouble();
        }
        values.put(e.getKey(), v);
      }
    }
    double worst = GradientCheck.check(g, values, batch);
    assertTrue(worst <= GradientCheck.TOLERANCE);
  }

  @Test
  void batchNormAndLayerNormAloneMatchFiniteDifferences() throws Exception {
    Graph g =
        Compilation.of(
                model(
                    "input x: float[batch, 3, 4]\ninput t: float[batch, 3, 4]\n"
                        + "param g: float[4] = ones\nparam b: float[4] = zeros\n"
                        + "param g2: float[4] = ones\nparam b2: float[4] = zeros\n"
                        + "state m: float[4] = zeros\nstate v: float[4] = ones\n"
                        + "z = batch_norm(x * g2, g, b, m, v)\n"
                        + "loss mean(layer_norm(z, g2, b2) * t)\n"),
                Gradc.Options.defaults().withPrecision(Precision.F64))
            .forward();
    Random r = new Random(9);
    Map<String, double[]> values = new LinkedHashMap<>();
    int batch = 3;
    for (String in : List.of("x", "t")) {
      double[] v = new double[batch * 12];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.nextGaussian();
      }
      values.put(in, v);
    }
    for (String p : List.of("g", "b", "g2", "b2", "m", "v")) {
      double[] v = new double[4];
      for (int i = 0; i < 4; i++) {
        v[i] = 0.5 + r.nextDouble();
      }
      values.put(p, v);
    }
    assertTrue(GradientCheck.check(g, values, batch) <= GradientCheck.TOLERANCE);
  }

  /** Generated code against the evaluator, both modes, after some steps with a non-zero seed. */
  @ParameterizedTest
  @EnumSource(Precision.class)
  void generatedCodeMatchesEvaluatorInBothModes(Precision p) throws Exception {
    TrainingGraph tg = Gradc.trainingGraph(source(), p);
    Model m = HiddenClasses.instantiate(Harness.generate(tg, p));
    m.seed(1234);
    m.steps(7);
    for (int batch : new int[] {2, 9, 5}) {
      Harness.compareWithEvaluator(m, tg.graph(), batch, batch * 17L, p);
    }
  }

  @Test
  void maskDependsOnSeedAndStepButEvaluationDoesNot() throws Exception {
    Model m = Gradc.compile(source(), Gradc.Options.defaults());
    Random r = new Random(3);
    float[] x = new float[8 * 6];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    int[] y = {0, 1, 2, 3, 0, 1, 2, 3};
    m.feed("x", x);
    m.feed("y", y);
    double eval1 = m.evaluate();
    m.seed(99);
    m.steps(3);
    assertEquals(eval1, m.evaluate(), 0.0, "evaluation draws no mask");
    float[] state = ((float[]) m.tensor(TensorKind.STATE, "mu1")).clone();
    double train1 = m.lossAndGradients();
    m.seed(98);
    double train2 = m.lossAndGradients();
    assertNotEquals(train1, train2, "another seed, another mask");
    m.seed(99);
    assertEquals(train1, m.lossAndGradients(), 0.0, "the same seed and step, the same mask");
    assertFalse(
        java.util.Arrays.equals(state, (float[]) m.tensor(TensorKind.STATE, "mu1")),
        "training updates the running mean");
  }

  /**
   * The training entry points leave the training-mode outputs of their own forward pass (what the
   * trainer's training accuracy counts): trainStep's are lossAndGradients' at the same seed and
   * step, bit for bit, and differ from the evaluation-mode outputs of forward().
   */
  @Test
  void trainingEntriesLeaveTrainingModeOutputs() throws Exception {
    Graph g = Compilation.of(source(), Gradc.Options.defaults()).forward();
    assertNotEquals(g.outputs().get("probs"), g.trainingOutputs().get("probs"));
    Model m = Gradc.compile(source(), Gradc.Options.defaults());
    m.initialize(7);
    Random r = new Random(8);
    float[] x = new float[8 * 6];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    int[] y = {0, 1, 2, 3, 0, 1, 2, 3};
    Model gradients = m.copy();
    Model eval = m.copy();
    m.feed("x", x);
    m.feed("y", y);
    java.util.Arrays.fill((float[]) m.tensor(TensorKind.OUTPUT, "probs"), Float.NaN);
    m.trainStep();
    float[] stepped = m.output("probs");
    for (int row = 0; row < 8; row++) {
      double sum = 0;
      for (int j = 0; j < 4; j++) {
        sum += stepped[row * 4 + j];
      }
      assertEquals(1, sum, 1e-5, "row " + row + " of the step's softmax output");
    }
    gradients.steps(gradients.steps() + 1); // the step number trainStep drew its masks with
    gradients.feed("x", x);
    gradients.feed("y", y);
    gradients.lossAndGradients();
    assertArrayEquals(gradients.output("probs"), stepped);
    eval.feed("x", x);
    eval.forward();
    assertFalse(java.util.Arrays.equals(eval.output("probs"), stepped));
  }

  @Test
  void inferenceOnlyClassHasNoTrainingCode(@TempDir Path dir) throws Exception {
    Gradc.Options o = Gradc.Options.defaults();
    Model training = Gradc.compile(source(), o);
    Model inference = Gradc.compile(source(), o.withInference(true));
    assertTrue(inference.spec().ofKind(TensorKind.GRADIENT).isEmpty());
    assertEquals(
        List.of("mu1", "var1"),
        inference.spec().ofKind(TensorKind.STATE).stream().map(t -> t.name()).toList());
    for (String method : List.of("runGradients", "runTrainStep", "runUpdate")) {
      assertThrows(
          NoSuchMethodException.class,
          () -> inference.getClass().getDeclaredMethod(method, int.class),
          method);
    }
    String dump =
        String.join(
            "\n", Compilation.of(source(), o.withInference(true)).generate().kernels().values());
    assertFalse(dump.contains("dropout(seed"), dump);
    assertTrue(
        String.join("\n", Compilation.of(source(), o).generate().kernels().values())
            .contains("dropout(seed"));
    // train a little, save, load into the inference class: same predictions
    Random r = new Random(4);
    float[] x = new float[16 * 6];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    int[] y = new int[16];
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextInt(4);
    }
    training.initialize(11);
    for (int s = 0; s < 5; s++) {
      training.feed("x", x);
      training.feed("y", y);
      training.trainStep();
    }
    Path file = dir.resolve("m.safetensors");
    training.save(file);
    inference.load(file);
    training.feed("x", x);
    training.forward();
    inference.feed("x", x);
    inference.forward();
    assertArrayEquals(training.output("probs"), inference.output("probs"));
    training.feed("x", x);
    training.feed("y", y);
    inference.feed("x", x);
    inference.feed("y", y);
    assertEquals(training.evaluate(), inference.evaluate(), 0.0);
    assertThrows(UnsupportedOperationException.class, inference::lossAndGradients);
    assertTrue(Files.size(file) > 0);
  }

  @Test
  void statesAreSavedInCheckpoints(@TempDir Path dir) throws Exception {
    Model m = Gradc.compile(source(), Gradc.Options.defaults());
    float[] var = (float[]) m.tensor(TensorKind.STATE, "var1");
    assertEquals(1f, var[0], "state var1 = ones");
    var[3] = 2.5f;
    Path file = dir.resolve("s.safetensors");
    m.save(file);
    Model n = Gradc.compile(source(), Gradc.Options.defaults());
    n.load(file);
    assertEquals(2.5f, ((float[]) n.tensor(TensorKind.STATE, "var1"))[3]);
  }
}
