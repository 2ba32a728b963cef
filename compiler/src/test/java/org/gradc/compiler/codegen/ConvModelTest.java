package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * Whole convolutional models through the code generator: the example CNN's methods fit HotSpot's
 * JIT limit in both back ends and precisions, a training step allocates nothing, and data-parallel
 * training ({@code Trainer.dataParallel}) agrees with one thread.
 */
class ConvModelTest {
  /** Every conv/pool form in a few layers: stride, asymmetric padding, groups, both poolings. */
  private static final String SMALL =
      """
      model SmallCnn
      input  x: float[batch, 9, 9, 2]
      input  y: int[batch]
      param  K1: float[3, 3, 1, 4] = he_uniform
      param  c1: float[4]          = zeros
      param  K2: float[2, 2, 4, 6] = he_uniform
      param  W:  float[24, 3]      = glorot_uniform
      param  b:  float[3]          = zeros
      h1 = relu(conv2d(x, K1, stride = 2, padding = [1, 0, 1, 0], groups = 2) + c1)
      h2 = max_pool2d(h1, window = 2, stride = 1)
      h3 = avg_pool2d(conv2d_same(h2, K2), window = 2, padding = 1)
      logits = dense(flatten(h3), W, b)
      output probs = softmax(logits)
      loss mean(cross_entropy(logits, y, classes = 3))
      optimizer %s
      """;

  @Test
  void fashionCnnMethodsFitTheJitLimit() throws Exception {
    SourceFile cnn = Gradc.read(org.gradc.compiler.Examples.FASHION_CNN);
    for (Precision p : Precision.values()) {
      for (Backend backend : new Backend[] {new ScalarBackend(), VectorBackend.forThisJvm()}) {
        GeneratedClass c = Harness.generate(Gradc.trainingGraph(cnn, p), p, backend);
        for (Map.Entry<String, Integer> e : MethodSizes.of(c.bytes()).entrySet()) {
          assertTrue(
              e.getValue() <= MethodSizes.HUGE_METHOD_LIMIT,
              p
                  + " "
                  + backend.getClass().getSimpleName()
                  + " "
                  + e.getKey()
                  + ": "
                  + e.getValue());
        }
      }
    }
  }

  /**
   * The scalar back end, as {@code TrainingTest}: the Vector API may box vectors in JVMs forced to
   * narrow vectors, which is the matmul kernels' concern, not the window loops'.
   */
  @Test
  void trainStepAllocatesNothing() throws Exception {
    SourceFile small = new SourceFile("small.grad", SMALL.formatted("adam(lr = 0.01)"));
    Model m =
        HiddenClasses.instantiate(
            Harness.generate(
                Gradc.trainingGraph(small, Precision.F32), Precision.F32, new ScalarBackend()));
    m.initialize(3);
    Random r = new Random(4);
    float[] x = new float[8 * 162];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    int[] y = new int[8];
    m.feed("x", x);
    m.feed("y", y);
    for (int i = 0; i < 2000; i++) {
      m.trainStep(); // warm up: JIT compilation may allocate
    }
    com.sun.management.ThreadMXBean bean =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long before = bean.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 500; i++) {
      m.feed("x", x);
      m.feed("y", y);
      m.trainStep();
    }
    long allocated = bean.getThreadAllocatedBytes(tid) - before;
    assertTrue(allocated < 1024, "500 steps allocated " + allocated + " bytes");
  }

  /** Channels wide enough for the vector back end's register tiles in every pass, with tails. */
  private static final String WIDE =
      """
      model WideCnn
      input  x: float[batch, 9, 7, 3]
      input  y: int[batch]
      param  K1: float[3, 3, 3, 20]  = he_uniform
      param  c1: float[20]           = zeros
      param  K2: float[2, 3, 20, 34] = he_uniform
      param  c2: float[34]           = zeros
      param  W:  float[408, 3]       = glorot_uniform
      h1 = relu(conv2d(x, K1, padding = 1) + c1)
      h2 = relu(conv2d(h1, K2, padding = [1, 0, 2, 1], dilation = [1, 2]) + c2)
      logits = flatten(max_pool2d(h2)) @ W
      output probs = softmax(logits)
      loss mean(cross_entropy(logits, y, classes = 3))
      optimizer adam(lr = 0.01)
      """;

  /**
   * The vector back end's tiles add each sum's terms in the scalar loops' order with one fused
   * multiply-add each, so both back ends give the same bits: parameters after training steps agree
   * exactly, in both precisions.
   */
  @Test
  void vectorTilesGiveTheScalarBits() throws Exception {
    Backend vector = VectorBackend.forThisJvm();
    if (!(vector instanceof VectorBackend)) {
      return; // no jdk.incubator.vector in this JVM: nothing to compare
    }
    SourceFile wide = new SourceFile("wide.grad", WIDE);
    for (Precision p : Precision.values()) {
      Model[] ms = new Model[2];
      for (int k = 0; k < 2; k++) {
        ms[k] =
            HiddenClasses.instantiate(
                Harness.generate(
                    Gradc.trainingGraph(wide, p), p, k == 0 ? new ScalarBackend() : vector));
        ms[k].initialize(5);
      }
      SplittableRandom r = new SplittableRandom(9);
      for (int step = 0; step < 3; step++) {
        int rows = 5 + step;
        double[] x = new double[rows * 189];
        int[] y = new int[rows];
        for (int i = 0; i < x.length; i++) {
          x[i] = r.nextDouble();
        }
        for (int i = 0; i < rows; i++) {
          y[i] = r.nextInt(3);
        }
        for (Model m : ms) {
          if (p == Precision.F32) {
            float[] xf = new float[x.length];
            for (int i = 0; i < x.length; i++) {
              xf[i] = (float) x[i];
            }
            m.feed("x", xf);
          } else {
            m.feed("x", x);
          }
          m.feed("y", y);
          m.trainStep();
        }
      }
      for (TensorSpec t : ms[0].spec().ofKind(TensorKind.PARAM)) {
        Object a = ms[0].tensor(TensorKind.PARAM, t.name());
        Object b = ms[1].tensor(TensorKind.PARAM, t.name());
        boolean same =
            a instanceof float[] fa
                ? java.util.Arrays.equals(fa, (float[]) b)
                : java.util.Arrays.equals((double[]) a, (double[]) b);
        assertTrue(same, p + " " + t.name() + " differs between the back ends");
      }
    }
  }

  private static Dataset images(int rows, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[rows * 162];
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) {
      double s = 0;
      for (int k = 0; k < 162; k++) {
        x[i * 162 + k] = (float) r.nextDouble();
        s += k < 81 ? x[i * 162 + k] : -x[i * 162 + k];
      }
      y[i] = s > 2 ? 0 : s < -2 ? 1 : 2;
    }
    return Dataset.of(Dataset.floats("x", x, 9, 9, 2), Dataset.ints("y", y));
  }

  /** Shards sum their own rows first, so parameters agree to rounding, not bit for bit. */
  @Test
  void twoThreadsMatchOneToRounding() throws Exception {
    Model one = Gradc.compile(SMALL.formatted("sgd(lr = 0.05)"));
    Model two = Gradc.compile(SMALL.formatted("sgd(lr = 0.05)"));
    one.initialize(7);
    two.initialize(7);
    for (Model m : new Model[] {one, two}) {
      Trainer.of(m)
          .dataParallel(m == one ? 1 : 2)
          .batchSize(16)
          .epochs(2)
          .shuffle(3)
          .progress(Progress.NONE)
          .fit(images(70, 5));
    }
    assertEquals(one.steps(), two.steps());
    for (TensorSpec t : one.spec().ofKind(TensorKind.PARAM)) {
      float[] p = one.parameter(t.name());
      float[] q = two.parameter(t.name());
      for (int i = 0; i < p.length; i++) {
        assertEquals(p[i], q[i], 1e-5 * (1 + Math.abs(p[i])), t.name() + "[" + i + "]");
      }
    }
  }
}
