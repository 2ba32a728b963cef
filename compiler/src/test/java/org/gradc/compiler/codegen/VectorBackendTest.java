package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.gradc.compiler.autodiff.Autodiff;
import org.gradc.compiler.codegen.vector.VectorModule;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.TensorKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Differential tests of the Vector API back end: the same graphs compiled with it and with the
 * scalar back end, each checked against the reference evaluator (outputs, loss, every gradient),
 * and whole Adam training steps of both back ends checked against each other. Widths are chosen to
 * hit every code path: tails only (n &lt; lanes), full vectors plus a tail, several column chunks,
 * weight gradients (k = batch) and input gradients (b transposed), batches that leave remainder
 * rows.
 *
 * <p>Every test runs with the width this JVM prefers ({@link #PREFERRED}), which the build also
 * forces down to 128 and 256 bits in extra runs of this class ({@code -XX:MaxVectorSize=16} and
 * {@code 32}, see compiler/pom.xml), and some also with fixed widths whose code paths the cases
 * below are chosen for (such code runs on the Vector API's Java fallback where the hardware is
 * narrower).
 */
class VectorBackendTest {
  static final VectorBackend F32_16 = new VectorBackend(16, 8);
  static final VectorBackend F32_8 = new VectorBackend(8, 4);
  static final VectorBackend F32_4 = new VectorBackend(4, 2);

  /** The back end sized for this JVM (surefire runs the tests with the vector module). */
  static final VectorBackend PREFERRED = (VectorBackend) VectorBackend.forThisJvm();

  /** x[batch, in] → relu(x W1 + b1) → tanh(h W2 + b2) → mean squared error against y. */
  static Graph mlp(DType d, int in, int hidden, int out) throws Exception {
    Graph.Builder b = Graph.builder().modelName("Mlp").precision(d);
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    Node x = e.input("x", new TensorType(d, Shape.batched(in)));
    Node y = e.input("y", new TensorType(d, Shape.batched(out)));
    Node w1 = e.param("W1", new TensorType(d, Shape.of(in, hidden)));
    Node b1 = e.param("b1", new TensorType(d, Shape.of(hidden)));
    Node w2 = e.param("W2", new TensorType(d, Shape.of(hidden, out)));
    Node b2 = e.param("b2", new TensorType(d, Shape.of(out)));
    Node h = e.max(e.add(e.matmul(x, w1), b1), e.scalar(0));
    Node z = e.tanh(e.add(e.matmul(h, w2), b2));
    b.output("z", z);
    Node diff = e.sub(z, y);
    b.loss(e.mean(e.mul(diff, diff), false, 0, 1));
    return Autodiff.differentiate(b.build());
  }

  static GeneratedClass generate(Graph g, Precision p, Backend backend, OptimizerKind opt) {
    GeneratedClass c =
        ModelCompiler.generate(
            Harness.training(g, opt),
            new CodegenOptions(p, HiddenClasses.PACKAGE, true, "test.grad"),
            backend);
    Harness.verify(c.bytes());
    return c;
  }

  static boolean usesVectorApi(GeneratedClass c) {
    return new String(c.bytes(), StandardCharsets.ISO_8859_1).contains("jdk/incubator/vector/");
  }

  @ParameterizedTest
  @CsvSource({
    "F32, 20, 37, 10", // hidden: 2 vectors + 5 tail; out: tail only
    "F32, 33, 64, 3", // hidden: 4 vectors, one chunk; out: 3 lanes
    "F32, 8, 16, 17", // exactly one vector; out: one vector + 1 lane
    "F32, 40, 160, 48", // 10 vectors: chunks of 4 and a rest chunk of 2
    "F64, 20, 37, 10",
    "F64, 9, 24, 8",
  })
  void bothBackEndsMatchTheEvaluator(Precision p, int in, int hidden, int out) throws Exception {
    Graph g = mlp(p.ir(), in, hidden, out);
    List<GeneratedClass> vectors = new ArrayList<>();
    vectors.add(generate(g, p, PREFERRED, OptimizerKind.SGD));
    if (PREFERRED.lanes(Precision.F32) != 16) {
      vectors.add(generate(g, p, F32_16, OptimizerKind.SGD)); // the widths' comments count 16
    }
    GeneratedClass scalar = generate(g, p, new ScalarBackend(), OptimizerKind.SGD);
    for (GeneratedClass v : vectors) {
      assertTrue(usesVectorApi(v), "the vector back end wrote no Vector API code");
    }
    assertFalse(usesVectorApi(scalar));
    List<GeneratedClass> all = new ArrayList<>(vectors);
    all.add(scalar);
    for (GeneratedClass c : all) {
      Model m = HiddenClasses.instantiate(c);
      for (int batch : new int[] {1, 3, 8, 13, 2}) {
        Harness.compareWithEvaluator(m, g, batch, 31L * batch + in, p);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"8", "4"})
  void narrowVectorsMatchTheEvaluator(int lanes) throws Exception {
    // 8- and 4-lane floats: 16 vector registers, 2-vector chunks
    Graph g = mlp(DType.F32, 12, 50, 10);
    GeneratedClass c = generate(g, Precision.F32, lanes == 8 ? F32_8 : F32_4, OptimizerKind.SGD);
    assertTrue(usesVectorApi(c));
    Model m = HiddenClasses.instantiate(c);
    for (int batch : new int[] {1, 5, 9}) {
      Harness.compareWithEvaluator(m, g, batch, batch, Precision.F32);
    }
  }

  /**
   * The shapes of issue 15's narrow and one-row kernels: a 256-wide hidden layer, whose single rows
   * (batch 1, the remainder rows of 9 and 17) run in chunks of {@code rowVectors} (16 vectors at 16
   * lanes, 4 chunks of 8 at 8 lanes, 8 of 8 at 4 lanes), and a 10-wide output in blocks of 8 rows
   * (one vector + a 2-lane tail at 8 lanes; tail only at 16).
   */
  @ParameterizedTest
  @CsvSource({"0", "16", "8", "4"})
  void wideSingleRowsAndNarrowBlocksMatchTheEvaluator(int lanes) throws Exception {
    Graph g = mlp(DType.F32, 20, 256, 10);
    VectorBackend backend =
        switch (lanes) {
          case 16 -> F32_16;
          case 8 -> F32_8;
          case 4 -> F32_4;
          default -> PREFERRED;
        };
    GeneratedClass c = generate(g, Precision.F32, backend, OptimizerKind.SGD);
    assertTrue(usesVectorApi(c));
    Model m = HiddenClasses.instantiate(c);
    for (int batch : new int[] {1, 9, 17, 2, 16}) {
      Harness.compareWithEvaluator(m, g, batch, 7L * batch, Precision.F32);
    }
  }

  /**
   * Single rows (batch 1, the rows 9 and 3 leave over from blocks) of outputs too narrow for {@link
   * VectorEmitter#CHAINS} accumulators, whose k loop is split into partial sums ({@link
   * VectorEmitter#rowSplit}): k (the input width, then the hidden width) below, at and past a
   * multiple of the split, so the loop over whole groups of rows of b, the rows after it and an
   * empty main loop all run; outputs a partial vector only, a vector and a tail, whole vectors;
   * forward and backward, where the input gradient (n = in) and the weight gradients have such rows
   * too.
   */
  @ParameterizedTest
  @CsvSource({"0", "16", "8", "4"})
  void splitSingleRowsMatchTheEvaluator(int lanes) throws Exception {
    VectorBackend backend =
        switch (lanes) {
          case 16 -> F32_16;
          case 8 -> F32_8;
          case 4 -> F32_4;
          default -> PREFERRED;
        };
    int[][] shapes = {{1, 3, 10}, {7, 5, 1}, {9, 12, 24}, {257, 40, 10}, {33, 8, 17}, {16, 17, 3}};
    boolean split = false;
    for (int[] s : shapes) {
      Graph g = mlp(DType.F32, s[0], s[1], s[2]);
      GeneratedClass c = generate(g, Precision.F32, backend, OptimizerKind.SGD);
      split |= c.kernels().values().stream().anyMatch(t -> t.contains("partial sums"));
      Model m = HiddenClasses.instantiate(c);
      for (int batch : new int[] {1, 9, 3}) {
        Harness.compareWithEvaluator(m, g, batch, 13L * batch + s[0], Precision.F32);
      }
    }
    assertTrue(split, "no single row was split into partial sums");
  }

  /**
   * Adam steps fuse the parameter update into the gradient kernels' epilogues: the vector and the
   * scalar back end must train to the same parameters.
   */
  @ParameterizedTest
  @CsvSource({"F32, 1e-4", "F64, 1e-10"})
  void adamStepsAgreeWithTheScalarBackEnd(Precision p, double tol) throws Exception {
    Graph g = mlp(p.ir(), 30, 40, 10);
    Model vector = HiddenClasses.instantiate(generate(g, p, PREFERRED, OptimizerKind.ADAM));
    Model scalar =
        HiddenClasses.instantiate(generate(g, p, new ScalarBackend(), OptimizerKind.ADAM));
    vector.initialize(7);
    scalar.initialize(7);
    Random r = new Random(3);
    for (int step = 0; step < 5; step++) {
      int batch = 1 + r.nextInt(20);
      var inputs = Harness.randomInputs(vector, g, batch, r);
      Harness.feed(vector, g, inputs);
      Harness.feed(scalar, g, inputs);
      double lv = vector.trainStep();
      double ls = scalar.trainStep();
      Harness.assertClose("loss", new double[] {ls}, new double[] {lv}, tol);
    }
    for (String param : g.params().keySet()) {
      int len = (int) g.params().get(param).shape().size(1);
      Harness.assertClose(
          "parameter " + param,
          Harness.values(scalar, TensorKind.PARAM, param, len),
          Harness.values(vector, TensorKind.PARAM, param, len),
          tol);
    }
  }

  /**
   * The generated code's species is the one this JVM prefers (its lanes read from the Vector API
   * itself, not from the back end), within the limit {@code -XX:MaxVectorSize} sets, and no other
   * species appears: the forced 128- and 256-bit runs of this class really test 4 and 8 lanes.
   */
  @ParameterizedTest
  @CsvSource({"F32", "F64"})
  void generatedCodeUsesThePreferredSpeciesOfThisJvm(Precision p) throws Exception {
    Class<?> vectorClass =
        Class.forName(VectorModule.NAME + (p == Precision.F32 ? ".FloatVector" : ".DoubleVector"));
    Object species = vectorClass.getField("SPECIES_PREFERRED").get(null);
    Class<?> speciesClass = Class.forName(VectorModule.NAME + ".VectorSpecies");
    int lanes = (Integer) speciesClass.getMethod("length").invoke(species);
    int bits = (Integer) speciesClass.getMethod("vectorBitSize").invoke(species);
    assertEquals(lanes, PREFERRED.lanes(p));
    long maxBytes =
        Long.parseLong(
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .getVMOption("MaxVectorSize")
                .getValue());
    assertTrue(bits <= 8 * maxBytes, bits + " bits under -XX:MaxVectorSize=" + maxBytes);
    System.out.println(
        "VectorBackendTest: " + p + " vectors of " + lanes + " lanes (" + bits + " bits)");

    String code =
        new String(
            generate(mlp(p.ir(), 20, 37, 10), p, PREFERRED, OptimizerKind.SGD).bytes(),
            StandardCharsets.ISO_8859_1);
    var used = Pattern.compile("SPECIES_(\\d+)").matcher(code).results().map(r -> r.group(1));
    assertEquals(java.util.Set.of(String.valueOf(bits)), used.collect(Collectors.toSet()));
  }

  @Test
  void chosenWhenTheModuleIsPresentUnlessScalarIsForced() {
    // surefire runs the tests with --add-modules jdk.incubator.vector
    assertTrue(VectorBackend.forThisJvm() instanceof VectorBackend);
    System.setProperty(VectorBackend.PROPERTY, "scalar");
    try {
      assertTrue(VectorBackend.forThisJvm() instanceof ScalarBackend);
    } finally {
      System.clearProperty(VectorBackend.PROPERTY);
    }
  }

  /**
   * Without {@code jdk.incubator.vector} (a JVM started without {@code --add-modules}) models are
   * generated with the scalar back end, work, and the hint is printed once.
   */
  @Test
  void withoutTheModuleTheScalarBackEndIsUsedAndTheHintPrintedOnce() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                ScalarFallbackMain.class.getName())
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), err);
    assertEquals("vector=false finite=true\nvector=false finite=true\n", out.replace("\r", ""));
    assertEquals(1, err.split(Pattern.quote(VectorModule.HINT), -1).length - 1, err);
  }

  /** Random layer widths and batch sizes, f32. */
  @Property(tries = 25)
  void randomWidthsMatchTheEvaluator(
      @ForAll @IntRange(min = 1, max = 40) int in,
      @ForAll @IntRange(min = 1, max = 70) int hidden,
      @ForAll @IntRange(min = 1, max = 35) int out,
      @ForAll @IntRange(min = 1, max = 19) int batch)
      throws Exception {
    Graph g = mlp(DType.F32, in, hidden, out);
    Model m = HiddenClasses.instantiate(generate(g, Precision.F32, PREFERRED, OptimizerKind.SGD));
    Harness.compareWithEvaluator(m, g, batch, in * 1000L + hidden, Precision.F32);
  }
}
