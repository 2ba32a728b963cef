package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Random;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.TensorKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fused training step: optimizer rules, state, hyper-parameters at run time, no allocation. */
class TrainingTest {

  /**
   * Every optimizer, with non-default hyper-parameters: three fused steps move parameters and state
   * exactly as the rules in {@link OptimizerKind}'s javadoc, applied in the test to the gradients
   * {@code lossAndGradients} reports.
   */
  @ParameterizedTest
  @CsvSource({
    "sgd, 0, 0, 0",
    "sgd, 0.9, 0, 0.01",
    "sgd, 0.9, 1, 0",
    "adam, 0, 0, 0",
    "adam, 0, 0, 0.05",
    "adamw, 0, 0, 0.1"
  })
  void optimizerFollowsItsRule(String name, double momentum, double nesterov, double decay)
      throws Exception {
    OptimizerKind kind = OptimizerKind.byName(name);
    Graph g = Models.mlp("Opt", Precision.F64.ir(), 3, 5, 4);
    Model m = Harness.load(Harness.training(g, kind), Precision.F64);
    m.hyperParameter("lr", 0.05);
    m.hyperParameter("weight_decay", decay);
    if (kind == OptimizerKind.SGD) {
      m.hyperParameter("momentum", momentum);
      m.hyperParameter("nesterov", nesterov);
    }
    Random r = new Random(3);
    Map<String, double[]> inputs = Harness.randomInputs(m, g, 6, r);
    Harness.feed(m, g, inputs);
    Map<String, double[][]> state = new java.util.HashMap<>();
    for (int t = 1; t <= 3; t++) {
      m.lossAndGradients();
      Map<String, double[]> expected = new java.util.HashMap<>();
      for (Map.Entry<String, Node> e : g.params().entrySet()) {
        int len = (int) e.getValue().shape().size(1);
        double[] w = Harness.values(m, TensorKind.PARAM, e.getKey(), len);
        double[] grad = Harness.values(m, TensorKind.GRADIENT, e.getKey(), len);
        double[][] s = state.computeIfAbsent(e.getKey(), k -> new double[2][len]);
        expected.put(e.getKey(), reference(kind, m, w, grad, s, t));
      }
      m.trainStep();
      assertEquals(t, m.steps());
      for (Map.Entry<String, double[]> e : expected.entrySet()) {
        int len = e.getValue().length;
        Harness.assertClose(
            "step " + t + " " + e.getKey(),
            e.getValue(),
            Harness.values(m, TensorKind.PARAM, e.getKey(), len),
            1e-12);
        String first = kind == OptimizerKind.SGD ? ".velocity" : ".m";
        Harness.assertClose(
            "state " + e.getKey() + first,
            state.get(e.getKey())[0],
            Harness.values(m, TensorKind.STATE, e.getKey() + first, len),
            1e-12);
      }
    }
  }

  /** The update rules of {@link OptimizerKind}, written out plainly. */
  private static double[] reference(
      OptimizerKind kind, Model m, double[] w, double[] g, double[][] s, int t) {
    double lr = m.hyperParameter("lr");
    double wd = m.hyperParameter("weight_decay");
    double[] out = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      switch (kind) {
        case SGD -> {
          double mom = m.hyperParameter("momentum");
          boolean nesterov = m.hyperParameter("nesterov") != 0;
          double gp = g[i] + wd * w[i];
          s[0][i] = mom * s[0][i] + gp;
          out[i] = w[i] - lr * (nesterov ? gp + mom * s[0][i] : s[0][i]);
        }
        case ADAM, ADAMW -> {
          double b1 = m.hyperParameter("beta1");
          double b2 = m.hyperParameter("beta2");
          double eps = m.hyperParameter("eps");
          double wi = w[i];
          double gp = g[i];
          if (kind == OptimizerKind.ADAM) {
            gp += wd * wi;
          } else {
            wi -= lr * wd * wi;
          }
          s[0][i] = b1 * s[0][i] + (1 - b1) * gp;
          s[1][i] = b2 * s[1][i] + (1 - b2) * gp * gp;
          double mhat = s[0][i] / (1 - Math.pow(b1, t));
          double vhat = s[1][i] / (1 - Math.pow(b2, t));
          out[i] = wi - lr * mhat / (Math.sqrt(vhat) + eps);
        }
      }
    }
    return out;
  }

  @Test
  void lossAndGradientsLeavesParametersAlone() throws Exception {
    Graph g = Models.mlp("Still", Precision.F32.ir(), 4, 8, 3);
    Model m = Harness.load(Harness.training(g, OptimizerKind.ADAM), Precision.F32);
    Harness.feed(m, g, Harness.randomInputs(m, g, 5, new Random(1)));
    float[] before = m.parameter("W1").clone();
    m.lossAndGradients();
    m.lossAndGradients();
    assertTrue(java.util.Arrays.equals(before, m.parameter("W1")));
  }

  @Test
  void trainingReducesTheLoss() throws Exception {
    Graph g = Models.mlp("Fit", Precision.F32.ir(), 4, 16, 3);
    Model m = Harness.load(Harness.training(g, OptimizerKind.ADAM), Precision.F32);
    m.hyperParameter("lr", 0.01);
    Harness.feed(m, g, Harness.randomInputs(m, g, 32, new Random(2)));
    double first = m.trainStep();
    double last = first;
    for (int i = 0; i < 300; i++) {
      last = m.trainStep();
    }
    assertTrue(last < first * 0.5, first + " -> " + last);
  }

  /** A training step allocates nothing: buffers are planned and allocated once. */
  @Test
  void trainStepAllocatesNothing() throws Exception {
    Graph g = Models.mlp("Alloc", Precision.F32.ir(), 8, 32, 32, 4);
    Model m = Harness.load(Harness.training(g, OptimizerKind.ADAMW), Precision.F32);
    Map<String, double[]> inputs = Harness.randomInputs(m, g, 16, new Random(5));
    Harness.feed(m, g, inputs);
    float[] x = m.spec().tensors().isEmpty() ? null : new float[16 * 8];
    int[] y = new int[16];
    com.sun.management.ThreadMXBean bean =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    // Warm up until C2 has compiled the kernels: until then the Vector API boxes (interpreter,
    // C1), and on a loaded machine C2 may take more than a fixed number of steps. A step that
    // allocates for good never gives a quiet window, and the measurement below then fails.
    long until = System.nanoTime() + 60_000_000_000L;
    for (int window = 0; System.nanoTime() < until; window++) {
      long start = bean.getThreadAllocatedBytes(tid);
      for (int i = 0; i < 500; i++) {
        m.trainStep();
      }
      if (window >= 3 && bean.getThreadAllocatedBytes(tid) - start < 1024) {
        break;
      }
    }
    long before = bean.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 1000; i++) {
      m.feed("x", x);
      m.feed("y", y);
      m.trainStep();
    }
    long allocated = bean.getThreadAllocatedBytes(tid) - before;
    assertTrue(allocated < 1024, "1,000 steps allocated " + allocated + " bytes");
  }

  /** Growing the batch reallocates once; smaller batches reuse the buffers. */
  @Test
  void buffersGrowOnlyForLargerBatches() throws Exception {
    Graph g = Models.mlp("Grow", Precision.F32.ir(), 2, 3, 2);
    Model m = Harness.load(Harness.training(g, OptimizerKind.SGD), Precision.F32);
    m.feed("x", new float[8]);
    m.feed("y", new int[4]);
    assertEquals(4, m.capacity());
    m.trainStep();
    Object before = m.tensor(TensorKind.INPUT, "x");
    m.feed("x", new float[4]);
    m.feed("y", new int[2]);
    assertEquals(4, m.capacity());
    assertTrue(before == m.tensor(TensorKind.INPUT, "x"));
    m.trainStep();
    m.feed("x", new float[20]);
    m.feed("y", new int[10]);
    assertEquals(10, m.capacity());
    m.trainStep();
  }
}
