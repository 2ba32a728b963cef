package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.ops.Mean;
import org.gradc.compiler.ir.ops.Sum;
import org.gradc.runtime.Init;
import org.gradc.runtime.Initializer;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.TensorKind;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.util.CheckClassAdapter;

/** Compiles graphs, verifies the classes and compares generated results with the evaluator. */
public final class Harness {
  private Harness() {}

  static TrainingGraph training(Graph g, OptimizerKind kind) {
    double[] hyper = new double[kind.hyperParameters().size()];
    for (int i = 0; i < hyper.length; i++) {
      hyper[i] = kind.hyperParameters().get(i).defaultValue();
    }
    Map<String, Init> inits = new LinkedHashMap<>();
    for (Map.Entry<String, Node> e : g.params().entrySet()) {
      inits.put(
          e.getKey(),
          e.getValue().shape().rank() >= 2
              ? new Init(Initializer.HE_UNIFORM, List.of())
              : new Init(Initializer.ZEROS, List.of()));
    }
    return new TrainingGraph(g, inits, kind, hyper);
  }

  /**
   * The back end the differential tests check: the scalar one unless {@code
   * -Dgradc.test.backend=vector} (then the Vector API one, sized for this machine).
   */
  static Backend backend() {
    return "vector".equals(System.getProperty("gradc.test.backend"))
        ? VectorBackend.forThisJvm()
        : new ScalarBackend();
  }

  static GeneratedClass generate(TrainingGraph tg, Precision p) {
    return generate(tg, p, backend());
  }

  static GeneratedClass generate(TrainingGraph tg, Precision p, Backend backend) {
    GeneratedClass c =
        ModelCompiler.generate(
            tg, new CodegenOptions(p, HiddenClasses.PACKAGE, true, "test.grad"), backend);
    verify(c.bytes());
    return c;
  }

  /** ASM's verifier over every method; fails with its report. */
  public static void verify(byte[] bytes) {
    StringWriter out = new StringWriter();
    CheckClassAdapter.verify(
        new ClassReader(bytes), Harness.class.getClassLoader(), false, new PrintWriter(out));
    assertTrue(out.toString().isEmpty(), () -> "verifier: " + out);
    for (Map.Entry<String, Integer> e : MethodSizes.of(bytes).entrySet()) {
      assertTrue(
          e.getValue() <= MethodSizes.HUGE_METHOD_LIMIT, e.getKey() + " has " + e.getValue());
    }
  }

  static Model load(TrainingGraph tg, Precision p) {
    return HiddenClasses.instantiate(generate(tg, p));
  }

  /** Random values for every input of the graph (labels within their class count). */
  static Map<String, double[]> randomInputs(Model m, Graph g, int batch, Random r) {
    Map<String, double[]> values = new LinkedHashMap<>();
    for (Map.Entry<String, Node> e : g.inputs().entrySet()) {
      Node n = e.getValue();
      double[] v = new double[(int) n.shape().size(batch)];
      int slot = m.spec().slot(TensorKind.INPUT, e.getKey());
      int classes = m.spec().tensors().get(slot).classes();
      for (int i = 0; i < v.length; i++) {
        v[i] =
            n.dtype() == org.gradc.compiler.ir.DType.I32
                ? r.nextInt(Math.max(classes, 1))
                : r.nextDouble() * 2 - 1;
      }
      values.put(e.getKey(), v);
    }
    return values;
  }

  static void feed(Model m, Graph g, Map<String, double[]> inputs) {
    for (Map.Entry<String, double[]> e : inputs.entrySet()) {
      Node n = g.inputs().get(e.getKey());
      double[] v = e.getValue();
      if (n.dtype() == org.gradc.compiler.ir.DType.I32) {
        int[] ints = new int[v.length];
        for (int i = 0; i < v.length; i++) {
          ints[i] = (int) v[i];
        }
        m.feed(e.getKey(), ints);
      } else if (m.spec().precision() == org.gradc.runtime.DType.F64) {
        m.feed(e.getKey(), v);
      } else {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
          f[i] = (float) v[i];
        }
        m.feed(e.getKey(), f);
      }
    }
  }

  /** The live values of a tensor of the model, as doubles. */
  static double[] values(Model m, TensorKind kind, String name, int length) {
    Object a = m.tensor(kind, name);
    double[] out = new double[length];
    for (int i = 0; i < length; i++) {
      out[i] = a instanceof float[] f ? f[i] : ((double[]) a)[i];
    }
    return out;
  }

  /** Inputs plus the model's current parameters: what the evaluator needs. */
  static Map<String, double[]> withParams(Model m, Graph g, Map<String, double[]> inputs) {
    Map<String, double[]> all = new LinkedHashMap<>(inputs);
    for (Map.Entry<String, Node> e : g.params().entrySet()) {
      all.put(
          e.getKey(), values(m, TensorKind.PARAM, e.getKey(), (int) e.getValue().shape().size(1)));
    }
    for (Map.Entry<String, Node> e : g.states().entrySet()) {
      all.put(
          e.getKey(), values(m, TensorKind.STATE, e.getKey(), (int) e.getValue().shape().size(1)));
    }
    return all;
  }

  /**
   * Norm-wise relative error, as BLAS tests measure it: every element within {@code tol} times the
   * tensor's largest magnitude (at least 1). Element-wise relative error would demand more than a
   * float can give where a long sum cancels to a small value.
   */
  static void assertClose(String what, double[] expected, double[] actual, double tol) {
    assertClose(what, expected, actual, tol, 1);
  }

  /**
   * {@link #assertClose(String, double[], double[], double)} with the scale at least {@code
   * minScale}.
   */
  static void assertClose(
      String what, double[] expected, double[] actual, double tol, double minScale) {
    assertTrue(expected.length <= actual.length, what + ": length");
    double scale = Math.max(1, minScale);
    for (double e : expected) {
      if (Double.isFinite(e)) {
        scale = Math.max(scale, Math.abs(e));
      }
    }
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      double err = Math.abs(e - a) / scale;
      if (!(err <= tol) && !(Double.isNaN(e) && Double.isNaN(a)) && e != a) {
        throw new AssertionError(
            what
                + "["
                + i
                + "]: expected "
                + e
                + " but generated code gave "
                + a
                + " (error "
                + err
                + " relative to "
                + scale
                + ", tolerance "
                + tol
                + ")");
      }
    }
  }

  /**
   * The magnitude a loss's rounding error is relative to: for a loss that is a sum (or mean) of
   * terms, the sum (or mean) of the terms' magnitudes, since a float sum is accurate to a multiple
   * of that, not of the result, which cancellation can make small (a generated {@code sum(out · r)}
   * of ±1.0 from terms summing to 40 in magnitude is off by 2.5e-5 in f32); else the loss itself.
   */
  static double lossScale(Graph g, Evaluator.Result ref) {
    Node loss = g.loss();
    if (loss.op() instanceof Sum || loss.op() instanceof Mean) {
      double[] terms = ref.value(loss.input(0));
      double sum = 0;
      for (double t : terms) {
        sum += Math.abs(t);
      }
      return loss.op() instanceof Mean && terms.length > 0 ? sum / terms.length : sum;
    }
    return Math.abs(ref.loss());
  }

  static double tolerance(Precision p) {
    return p == Precision.F32 ? 1e-5 : 1e-12;
  }

  /**
   * Runs outputs, loss and gradients through the model and the evaluator on the same random data
   * and parameters, and compares them.
   */
  static void compareWithEvaluator(Model m, Graph g, int batch, long seed, Precision p) {
    compareWithEvaluator(m, g, batch, seed, p, false);
  }

  /**
   * {@link #compareWithEvaluator(Model, Graph, int, long, Precision)}, with parameters of rank ≥ 2
   * drawn at the scale of their fan-in when {@code fanIn}: uniform in ±1/√(fan-in), the fan-in the
   * product of every extent but the last (784 for a 784 × 256 weight), as the initializers scale
   * them (vectors, such as biases, stay uniform in ±1). With weights uniform in ±1, a model as deep
   * and wide as FashionMlp has logits of ±100, where f32 round-off in the last places of the logits
   * moves its softmax probabilities by about the f32 tolerance whatever the summation order
   * (docs/performance.md, round 2 session 7); at initializer scale a wrong term still shows, and
   * the round-off is far below the tolerance.
   */
  static void compareWithEvaluator(
      Model m, Graph g, int batch, long seed, Precision p, boolean fanIn) {
    Random r = new Random(seed);
    Map<String, double[]> inputs = randomInputs(m, g, batch, r);
    // random parameters, so zero-initialized ones do not hide bugs
    for (Map.Entry<String, Node> e : g.params().entrySet()) {
      Object a = m.tensor(TensorKind.PARAM, e.getKey());
      int len = (int) e.getValue().shape().size(1);
      double scale = 1;
      var shape = e.getValue().shape();
      if (fanIn && shape.rank() >= 2) {
        scale = 1 / Math.sqrt((double) len / shape.dim(shape.rank() - 1));
      }
      for (int i = 0; i < len; i++) {
        double v = (r.nextDouble() * 2 - 1) * scale;
        if (a instanceof float[] f) {
          f[i] = (float) v;
        } else {
          ((double[]) a)[i] = v;
        }
      }
    }
    // random model states (positive, as a running variance must be)
    for (Map.Entry<String, Node> e : g.states().entrySet()) {
      Object a = m.tensor(TensorKind.STATE, e.getKey());
      int len = (int) e.getValue().shape().size(1);
      for (int i = 0; i < len; i++) {
        double v = 0.5 + r.nextDouble();
        if (a instanceof float[] f) {
          f[i] = (float) v;
        } else {
          ((double[]) a)[i] = v;
        }
      }
    }
    feed(m, g, inputs);
    Map<String, double[]> all = withParams(m, g, inputs);
    if (p == Precision.F32) {
      // the evaluator sees exactly the float values the model sees
      for (double[] v : all.values()) {
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) v[i];
        }
      }
    }
    Evaluator.Result ref =
        Evaluator.evaluate(
            g, all, batch, new org.gradc.compiler.ir.RandomOp.Key(m.seed(), m.steps(), 0));
    double tol = tolerance(p);
    if (!g.outputs().isEmpty()) {
      m.forward();
      for (Map.Entry<String, Node> e : g.outputs().entrySet()) {
        int len = (int) e.getValue().shape().size(batch);
        assertClose(
            "output " + e.getKey(),
            ref.output(e.getKey()),
            values(m, TensorKind.OUTPUT, e.getKey(), len),
            tol);
      }
    }
    boolean batchedInput = g.inputs().values().stream().anyMatch(n -> n.shape().isBatched());
    if (g.loss() != null && batch == 1 && batchedInput && !Model.modelStates(m.spec()).isEmpty()) {
      // batch norm has no batch statistics for one row: training refuses it, evaluation works
      org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, m::lossAndGradients);
      checkEvaluate(m, g, ref, batch, tol);
    } else if (g.loss() != null) {
      poisonOutputs(m, g);
      double loss = m.lossAndGradients();
      assertClose("loss", new double[] {ref.loss()}, new double[] {loss}, tol, lossScale(g, ref));
      // the training pass leaves its own (training-mode) outputs: what training accuracy counts
      for (Map.Entry<String, Node> e : g.trainingOutputs().entrySet()) {
        int len = (int) e.getValue().shape().size(batch);
        assertClose(
            "training output " + e.getKey(),
            ref.trainingOutput(e.getKey()),
            values(m, TensorKind.OUTPUT, e.getKey(), len),
            tol);
      }
      for (Map.Entry<String, Node> e : g.states().entrySet()) {
        int len = (int) e.getValue().shape().size(1);
        double[] updated = values(m, TensorKind.STATE, e.getKey(), len);
        if (g.updates().containsKey(e.getKey())) {
          assertClose("state update " + e.getKey(), ref.update(e.getKey()), updated, tol);
        }
        // back to the values the evaluator saw, for the evaluate check below
        Object a = m.tensor(TensorKind.STATE, e.getKey());
        double[] old = all.get(e.getKey());
        for (int i = 0; i < len; i++) {
          if (a instanceof float[] f) {
            f[i] = (float) old[i];
          } else {
            ((double[]) a)[i] = old[i];
          }
        }
      }
      for (String param : g.gradients().keySet()) {
        int len = (int) g.params().get(param).shape().size(1);
        assertClose(
            "gradient " + param,
            ref.gradient(param),
            values(m, TensorKind.GRADIENT, param, len),
            tol);
      }
      checkEvaluate(m, g, ref, batch, tol);
    }
  }

  /**
   * The evaluate entry point gives the evaluator's loss and outputs and leaves the gradients that
   * {@code lossAndGradients} just wrote exactly as they are (no backward pass, no stray stores).
   */
  private static void checkEvaluate(Model m, Graph g, Evaluator.Result ref, int batch, double tol) {
    Map<String, double[]> before = new LinkedHashMap<>();
    for (String param : g.gradients().keySet()) {
      int len = (int) g.params().get(param).shape().size(1);
      before.put(param, values(m, TensorKind.GRADIENT, param, len));
    }
    poisonOutputs(m, g);
    double loss = m.evaluate();
    // the terms' magnitudes in training mode: the same order as in evaluation mode
    assertClose(
        "evaluate: loss",
        new double[] {ref.evalLoss()},
        new double[] {loss},
        tol,
        lossScale(g, ref));
    for (Map.Entry<String, Node> e : g.outputs().entrySet()) {
      int len = (int) e.getValue().shape().size(batch);
      assertClose(
          "evaluate: output " + e.getKey(),
          ref.output(e.getKey()),
          values(m, TensorKind.OUTPUT, e.getKey(), len),
          tol);
    }
    for (Map.Entry<String, double[]> e : before.entrySet()) {
      double[] after = values(m, TensorKind.GRADIENT, e.getKey(), e.getValue().length);
      if (!java.util.Arrays.equals(e.getValue(), after)) {
        throw new AssertionError("evaluate changed the gradient of " + e.getKey());
      }
    }
  }

  /** Fills the output buffers with NaN, so that stale outputs cannot pass for fresh ones. */
  private static void poisonOutputs(Model m, Graph g) {
    for (String name : g.outputs().keySet()) {
      Object a = m.tensor(TensorKind.OUTPUT, name);
      if (a instanceof float[] f) {
        java.util.Arrays.fill(f, Float.NaN);
      } else {
        java.util.Arrays.fill((double[]) a, Double.NaN);
      }
    }
  }

  static List<String> names(Map<String, ?> m) {
    return List.copyOf(m.keySet());
  }
}
