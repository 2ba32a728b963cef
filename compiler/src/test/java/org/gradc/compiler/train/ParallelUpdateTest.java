package org.gradc.compiler.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.BackendKind;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.gradc.runtime.data.Dataset;
import org.gradc.runtime.train.DataParallel;
import org.gradc.runtime.train.Progress;
import org.gradc.runtime.train.Trainer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The optimizer update in parts ({@link Model#updateParts}) and the data-parallel step built on it
 * ({@link Trainer#dataParallel}), held to their documented definitions bit for bit: parts over any
 * split equal {@link Model#applyGradients}, and a parallel step equals "shards by {@link
 * DataParallel}, gradients summed by {@link DataParallel#weightedSum} on one thread, then {@code
 * applyGradients()}".
 */
class ParallelUpdateTest {

  /**
   * An MLP with {@code hidden} units; at 11001, W1 has more elements than {@link
   * Model#UPDATE_PARTS}, so its parts hold one or two elements.
   */
  private static String mlp(String optimizer, int hidden) {
    return """
        model Mlp
        input  x: float[batch, 3]
        input  y: int[batch]
        param  W1: float[3, %1$d] = he_uniform
        param  b1: float[%1$d]    = zeros
        param  W2: float[%1$d, 2] = glorot_uniform
        param  b2: float[2]        = zeros
        logits = relu(x @ W1 + b1) @ W2 + b2
        loss   mean(cross_entropy(logits, y, classes = 2))
        optimizer %2$s
        """
        .formatted(hidden, optimizer);
  }

  private static final String DROPOUT =
      """
      model DropNet
      input x: float[batch, 3]
      input y: int[batch]
      param W: float[3, 40] = glorot_uniform
      param V: float[40, 2] = glorot_uniform
      logits = dropout(relu(x @ W), rate = 0.5) @ V
      loss mean(cross_entropy(logits, y, classes = 2))
      optimizer adam(lr = 0.01)
      """;

  private static final String BATCH_NORM =
      """
      model Bn
      input x: float[batch, 3]
      input y: int[batch]
      param W: float[3, 2] = glorot_uniform
      param g: float[3] = ones
      param b: float[3] = zeros
      state mu: float[3] = zeros
      state var: float[3] = ones
      logits = batch_norm(x, g, b, mu, var) @ W
      loss mean(cross_entropy(logits, y, classes = 2))
      optimizer sgd(lr = 0.1, momentum = 0.9)
      """;

  private static Model compile(String src, String precision, String backend) throws Exception {
    Gradc.Options o =
        Gradc.Options.defaults()
            .withPrecision(Precision.valueOf(precision))
            .withBackend(BackendKind.valueOf(backend));
    Model m;
    if (o.backend() == BackendKind.PORTABLE) {
      // what the Maven plugin writes: a class with one nestmate per vector width, which a hidden
      // class cannot have, so it is loaded by a loader of its own
      GeneratedClass c =
          Gradc.generate(new SourceFile("m.grad", src), o.withPackage("org.gradc.test.parts"));
      ClassLoader loader =
          new ClassLoader(ParallelUpdateTest.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
              byte[] b = c.classFiles().get(name);
              if (b == null) {
                throw new ClassNotFoundException(name);
              }
              return defineClass(name, b, 0, b.length);
            }
          };
      m = (Model) loader.loadClass(c.binaryName()).getConstructor().newInstance();
    } else {
      m = Gradc.compile(new SourceFile("m.grad", src), o);
    }
    m.initialize(11);
    return m;
  }

  private static Dataset data(int rows, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[rows * 3];
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < 3; j++) {
        x[3 * i + j] = (float) r.nextDouble(-1, 2);
      }
      y[i] = x[3 * i] + x[3 * i + 1] * x[3 * i + 2] > 0.5 ? 1 : 0;
    }
    return Dataset.of(Dataset.floats("x", x, 3), Dataset.ints("y", y));
  }

  @ParameterizedTest
  @CsvSource({
    "'sgd(lr = 0.1, momentum = 0.9, nesterov = true, weight_decay = 0.01)', F32, VECTOR",
    "'adam(lr = 0.01, weight_decay = 0.001)', F32, VECTOR",
    "'adamw(lr = 0.01)', F32, VECTOR",
    "'adam(lr = 0.01)', F64, VECTOR",
    "'adam(lr = 0.01)', F32, SCALAR",
    "'sgd(lr = 0.1, momentum = 0.5)', F64, SCALAR",
    "'adam(lr = 0.01)', F32, PORTABLE"
  })
  void partsOverAnySplitGiveApplyGradientsBitForBit(
      String optimizer, String precision, String backend) throws Exception {
    Model whole = compile(mlp(optimizer, 11001), precision, backend);
    Model parts = compile(mlp(optimizer, 11001), precision, backend);
    assertTrue(parts.updatesInParts());
    Dataset d = data(9, 3);
    SplittableRandom r = new SplittableRandom(precision.hashCode() + optimizer.hashCode());
    for (int step = 0; step < 4; step++) {
      for (Model m : new Model[] {whole, parts}) {
        m.feed("x", ((org.gradc.runtime.data.FloatColumn) d.column("x")).data());
        m.feed("y", ((org.gradc.runtime.data.IntColumn) d.column("y")).data());
        m.lossAndGradients();
      }
      whole.applyGradients();
      parts.steps(parts.steps() + 1);
      List<int[]> ranges = randomSplit(r, 1 + r.nextInt(9));
      if (step % 2 == 0) {
        Collections.reverse(ranges); // any order
        for (int[] range : ranges) {
          parts.updateParts(range[0], range[1]);
        }
      } else {
        // at once, on as many threads as ranges
        List<Thread> threads = new ArrayList<>();
        for (int[] range : ranges) {
          Thread t = new Thread(() -> parts.updateParts(range[0], range[1]));
          threads.add(t);
          t.start();
        }
        for (Thread t : threads) {
          t.join();
        }
      }
      assertEquals(whole.steps(), parts.steps());
      assertSameState(whole, parts);
    }
    assertThrows(IllegalArgumentException.class, () -> parts.updateParts(5, 4));
    assertThrows(
        IllegalArgumentException.class, () -> parts.updateParts(0, Model.UPDATE_PARTS + 1));
  }

  /** {@code [0, UPDATE_PARTS)} cut at {@code cuts - 1} random points, including tiny ranges. */
  private static List<int[]> randomSplit(SplittableRandom r, int cuts) {
    List<Integer> at = new ArrayList<>(List.of(0, Model.UPDATE_PARTS, 1, Model.UPDATE_PARTS - 1));
    for (int i = 0; i < cuts; i++) {
      at.add(r.nextInt(Model.UPDATE_PARTS + 1));
    }
    List<Integer> sorted = at.stream().distinct().sorted().toList();
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i + 1 < sorted.size(); i++) {
      out.add(new int[] {sorted.get(i), sorted.get(i + 1)});
    }
    return out;
  }

  /**
   * {@code Trainer.dataParallel(k)} against the definition in {@link DataParallel}'s javadoc,
   * computed here on one thread: the same bits (parameters, optimizer state, running statistics)
   * after two epochs in file order, with a final batch of 7 rows and, on 3 threads, shards of 3 and
   * 4 rows; and the same bits run to run.
   */
  @ParameterizedTest
  @CsvSource({
    "MLP, F32, 2",
    "MLP, F64, 3",
    "DROPOUT, F32, 2",
    "DROPOUT, F64, 3",
    "BATCH_NORM, F32, 3",
    "BATCH_NORM, F64, 2"
  })
  void parallelStepsEqualTheirDefinitionBitForBit(String which, String precision, int threads)
      throws Exception {
    String src =
        switch (which) {
          // parts of one element and of none (the JIT compiles nothing in ten steps, so a wider
          // model would run its vector code interpreted for seconds)
          case "MLP" -> mlp("adam(lr = 0.01)", 700);
          case "DROPOUT" -> DROPOUT;
          default -> BATCH_NORM;
        };
    Dataset d = data(47, 5);
    int batch = 10;
    Model parallel = compile(src, precision, "AUTO");
    Trainer.of(parallel)
        .dataParallel(threads)
        .batchSize(batch)
        .epochs(2)
        .progress(Progress.NONE)
        .fit(d);
    Model again = compile(src, precision, "AUTO");
    Trainer.of(again)
        .dataParallel(threads)
        .batchSize(batch)
        .epochs(2)
        .progress(Progress.NONE)
        .fit(d);
    assertSameState(parallel, again); // run to run

    Model main = compile(src, precision, "AUTO");
    List<Model> replicas = new ArrayList<>(List.of(main));
    List<DataParallel.Worker> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      if (i > 0) {
        replicas.add(main.copy());
      }
      workers.add(new DataParallel.Worker(replicas.get(i), d, batch));
    }
    int[] order = new int[d.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int epoch = 0; epoch < 2; epoch++) {
      for (int from = 0; from < d.size(); from += batch) {
        int n = Math.min(batch, d.size() - from);
        int k = DataParallel.shards(n, threads);
        long step = main.steps();
        int[] rows = new int[k];
        for (int i = 0; i < k; i++) {
          Model m = replicas.get(i);
          if (i > 0) {
            copy(
                DataParallel.arrays(main, TensorKind.PARAM),
                DataParallel.arrays(m, TensorKind.PARAM));
            copy(DataParallel.modelStates(main), DataParallel.modelStates(m));
          }
          DataParallel.enterShard(m, main.seed(), step, i, n, k);
          rows[i] = DataParallel.bound(i + 1, n, k) - DataParallel.bound(i, n, k);
        }
        for (int i = k - 1; i >= 0; i--) { // any order: every replica has buffers of its own
          workers
              .get(i)
              .gradients(
                  order,
                  from + DataParallel.bound(i, n, k),
                  from + DataParallel.bound(i + 1, n, k),
                  false);
        }
        if (k > 1) {
          List<List<Object>> grads = new ArrayList<>();
          List<List<Object>> states = new ArrayList<>();
          for (int i = 0; i < k; i++) {
            grads.add(DataParallel.arrays(replicas.get(i), TensorKind.GRADIENT));
            states.add(DataParallel.modelStates(replicas.get(i)));
          }
          DataParallel.weightedSum(DataParallel.arrays(main, TensorKind.GRADIENT), grads, rows, n);
          DataParallel.weightedSum(DataParallel.modelStates(main), states, rows, n);
        }
        main.steps(step);
        main.rowOffset(0);
        main.applyGradients();
      }
    }
    assertEquals(main.steps(), parallel.steps());
    assertSameState(main, parallel);
  }

  /**
   * A shard that fails (batch norm refuses a shard of one row) fails the step on the calling thread
   * with the shard's own message, leaves the step count as it was, and leaves no thread waiting:
   * the runner closes and the next fit trains.
   */
  @org.junit.jupiter.api.Test
  void aFailingShardFailsTheStepAndNothingHangs() throws Exception {
    Model m = compile(BATCH_NORM, "F32", "AUTO");
    Dataset d = data(3, 1); // one batch of 3 rows: shards of 1 and 2 rows
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Trainer.of(m).dataParallel(2).batchSize(3).progress(Progress.NONE).fit(d));
    assertTrue(e.getMessage().contains("one row"), e.getMessage());
    assertEquals(0, m.steps());
    Trainer.of(m).dataParallel(2).batchSize(4).epochs(2).progress(Progress.NONE).fit(data(8, 1));
    assertEquals(4, m.steps());
  }

  private static void copy(List<Object> from, List<Object> to) {
    for (int p = 0; p < from.size(); p++) {
      Object src = from.get(p);
      System.arraycopy(src, 0, to.get(p), 0, java.lang.reflect.Array.getLength(src));
    }
  }

  /** Parameters and every state (optimizer moments, running statistics), bit for bit. */
  private static void assertSameState(Model a, Model b) {
    for (TensorKind kind : new TensorKind[] {TensorKind.PARAM, TensorKind.STATE}) {
      for (TensorSpec t : a.spec().ofKind(kind)) {
        Object x = a.tensor(kind, t.name());
        Object y = b.tensor(kind, t.name());
        if (x instanceof float[] f) {
          assertArrayEquals(f, (float[]) y, kind + " " + t.name());
        } else {
          assertArrayEquals((double[]) x, (double[]) y, kind + " " + t.name());
        }
      }
    }
  }
}
