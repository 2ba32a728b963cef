package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.gradc.compiler.codegen.vector.VectorModule;
import org.gradc.compiler.ir.Graph;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.VectorWidth;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Classes compiled {@linkplain BackendKind#PORTABLE portable} (what the Maven plugin and {@code
 * gradc compile} write): the model class holds scalar kernels and picks, when it is initialized,
 * the nestmate of 128-, 256- or 512-bit kernels this JVM prefers. This class also runs in the
 * build's JVMs forced to 128- and 256-bit vectors (compiler/pom.xml), where the choice must follow.
 * Each set of kernels is forced in turn with {@code -Dgradc.vectorBits} (a set wider than the
 * hardware runs on the Vector API's Java fallback: slow, but the same arithmetic) and checked
 * against the evaluator; all share the model class's fields, so one checkpoint serves all.
 */
class PortableClassTest {
  private static final String PACKAGE = "org.gradc.test.portable";

  @AfterEach
  void clearOverride() {
    System.clearProperty(VectorWidth.PROPERTY);
  }

  static GeneratedClass portable(Graph g, Precision p, OptimizerKind opt) {
    GeneratedClass c =
        ModelCompiler.generate(
            Harness.training(g, opt),
            new CodegenOptions(p, PACKAGE, true, "test.grad", BackendKind.PORTABLE));
    c.classFiles().values().forEach(Harness::verify);
    return c;
  }

  /** Defines the classes of {@code c} when first asked for, and records which were. */
  static final class Loader extends ClassLoader {
    final Map<String, byte[]> files;
    final List<String> defined = new ArrayList<>();

    Loader(GeneratedClass c) {
      super(PortableClassTest.class.getClassLoader());
      this.files = c.classFiles();
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] b = files.get(name);
      if (b == null) {
        throw new ClassNotFoundException(name);
      }
      defined.add(name);
      return defineClass(name, b, 0, b.length);
    }
  }

  static Model instantiate(Loader loader, GeneratedClass c) throws Exception {
    return (Model) loader.loadClass(c.binaryName()).getConstructor().newInstance();
  }

  static int vectorBits(Model m) throws Exception {
    Field f = m.getClass().getDeclaredField(ClassAssembler.VECTOR_BITS);
    f.setAccessible(true);
    return f.getInt(null);
  }

  @Test
  void holdsScalarKernelsAndOneNestmatePerWidth() throws Exception {
    GeneratedClass c =
        portable(
            VectorBackendTest.mlp(Precision.F32.ir(), 20, 37, 10),
            Precision.F32,
            OptimizerKind.SGD);
    assertEquals(
        Set.of(
            PACKAGE + ".Mlp$Kernels128", PACKAGE + ".Mlp$Kernels256", PACKAGE + ".Mlp$Kernels512"),
        c.nestmates().keySet());
    // the model class must load and run on a JVM without the incubator module
    assertFalse(text(c.bytes()).contains("jdk/incubator/vector"));
    for (Map.Entry<String, byte[]> e : c.nestmates().entrySet()) {
      String bits = e.getKey().substring(e.getKey().length() - 3);
      var species =
          Pattern.compile("SPECIES_(\\d+)")
              .matcher(text(e.getValue()))
              .results()
              .map(r -> r.group(1));
      assertEquals(Set.of(bits), species.collect(Collectors.toSet()), e.getKey());
    }
    System.out.println(
        "PortableClassTest: Mlp(20-37-10) "
            + c.classFiles().entrySet().stream()
                .map(e -> e.getKey().substring(PACKAGE.length() + 1) + " " + e.getValue().length)
                .collect(Collectors.joining(", "))
            + " bytes");
  }

  @Test
  void aModelOfTinyLayersHasNoVariants() throws Exception {
    // 2-8-1: every matmul stays scalar at any width, so nestmates would only duplicate the class
    GeneratedClass c =
        portable(
            VectorBackendTest.mlp(Precision.F32.ir(), 2, 8, 1), Precision.F32, OptimizerKind.SGD);
    assertTrue(c.nestmates().isEmpty());
    Model m =
        new Loader(c)
            .loadClass(c.binaryName())
            .asSubclass(Model.class)
            .getConstructor()
            .newInstance();
    assertThrows(NoSuchFieldException.class, () -> vectorBits(m));
  }

  /**
   * Loading picks the kernels of this JVM's preferred width ({@code -XX:MaxVectorSize=16} / {@code
   * 32} / the machine's own), and only that nestmate is loaded.
   */
  @Test
  void picksTheVariantOfThePreferredSpecies() throws Exception {
    GeneratedClass c =
        portable(
            VectorBackendTest.mlp(Precision.F32.ir(), 20, 37, 10),
            Precision.F32,
            OptimizerKind.SGD);
    Loader loader = new Loader(c);
    Model m = instantiate(loader, c);
    int preferred = VectorModule.preferredBits();
    int expected = preferred >= 512 ? 512 : preferred >= 128 ? preferred : 0;
    assertEquals(expected, vectorBits(m), "preferred " + preferred);
    m.feed("x", new float[20]);
    m.feed("y", new float[10]);
    m.trainStep();
    List<String> nestmates =
        loader.defined.stream().filter(n -> n.contains("$Kernels")).collect(Collectors.toList());
    assertEquals(
        expected == 0 ? List.of() : List.of(PACKAGE + ".Mlp$Kernels" + expected), nestmates);
    System.out.println("PortableClassTest: preferred " + preferred + " bits, runs " + nestmates);
  }

  @ParameterizedTest
  @CsvSource({"F32, 20, 37, 10", "F64, 9, 24, 8"}) // VectorBackendTest covers more shapes
  void everyVariantMatchesTheEvaluator(Precision p, int in, int hidden, int out) throws Exception {
    Graph g = VectorBackendTest.mlp(p.ir(), in, hidden, out);
    GeneratedClass c = portable(g, p, OptimizerKind.SGD);
    for (int bits : new int[] {0, 128, 256, 512}) {
      System.setProperty(VectorWidth.PROPERTY, String.valueOf(bits));
      Model m = instantiate(new Loader(c), c);
      assertEquals(bits, vectorBits(m));
      for (int batch : new int[] {1, 3, 13}) {
        Harness.compareWithEvaluator(m, g, batch, 31L * batch + in, p);
      }
    }
  }

  /**
   * Adam steps (which read {@code Model}'s protected {@code step} and {@code hyper} through the
   * model class's accessors) train every variant to the same parameters; a checkpoint saved under
   * one set of kernels loads into a model running another.
   */
  @Test
  void variantsTrainAlikeAndShareCheckpoints(@TempDir Path dir) throws Exception {
    Precision p = Precision.F32;
    Graph g = VectorBackendTest.mlp(p.ir(), 30, 40, 10);
    GeneratedClass c = portable(g, p, OptimizerKind.ADAM);
    List<Model> models = new ArrayList<>();
    for (int bits : new int[] {0, 128, 256, 512}) {
      System.setProperty(VectorWidth.PROPERTY, String.valueOf(bits));
      Model m = instantiate(new Loader(c), c);
      m.initialize(7);
      models.add(m);
    }
    Random r = new Random(3);
    for (int step = 0; step < 5; step++) {
      var inputs = Harness.randomInputs(models.get(0), g, 1 + r.nextInt(20), r);
      double[] losses = new double[models.size()];
      for (int i = 0; i < models.size(); i++) {
        Harness.feed(models.get(i), g, inputs);
        losses[i] = models.get(i).trainStep();
      }
      for (int i = 1; i < models.size(); i++) {
        Harness.assertClose("loss", new double[] {losses[0]}, new double[] {losses[i]}, 1e-4);
      }
    }
    for (int i = 1; i < models.size(); i++) {
      for (String param : g.params().keySet()) {
        int len = (int) g.params().get(param).shape().size(1);
        Harness.assertClose(
            "parameter " + param + " of variant " + vectorBits(models.get(i)),
            Harness.values(models.get(0), TensorKind.PARAM, param, len),
            Harness.values(models.get(i), TensorKind.PARAM, param, len),
            1e-4);
      }
    }
    Path file = dir.resolve("mlp.ckpt");
    models.get(3).save(file);
    Model scalar = models.get(0);
    scalar.initialize(99);
    scalar.load(file);
    for (String param : g.params().keySet()) {
      int len = (int) g.params().get(param).shape().size(1);
      Harness.assertClose(
          "loaded " + param,
          Harness.values(models.get(3), TensorKind.PARAM, param, len),
          Harness.values(scalar, TensorKind.PARAM, param, len),
          0);
    }
    assertTrue(Files.size(file) > 0);
  }

  /**
   * Dropout reads {@code Model}'s protected {@code seed}, {@code step} and {@code rowOffset}; the
   * variants read them through the model class's accessors, so every variant must draw the same
   * masks (a wrong field would give other masks and other losses).
   */
  @Test
  void dropoutMasksAreTheSameInEveryVariant() throws Exception {
    String source =
        """
        model Drop
        input x: float[batch, 40]
        input y: int[batch]
        param W1: float[40, 48] = normal(0, 0.3)
        param b1: float[48] = zeros
        param W2: float[48, 16] = normal(0, 0.3)
        param b2: float[16] = zeros
        h = dropout(relu(x @ W1 + b1), rate = 0.3)
        logits = h @ W2 + b2
        output probs = softmax(logits)
        loss mean(cross_entropy(logits, y, classes = 16))
        optimizer adam(lr = 0.01)
        """;
    GeneratedClass c =
        org.gradc.compiler.Compilation.of(
                new org.gradc.compiler.diag.SourceFile("drop.grad", source),
                org.gradc.compiler.Gradc.Options.defaults()
                    .withPackage(PACKAGE)
                    .withBackend(BackendKind.PORTABLE))
            .generate();
    assertEquals(3, c.nestmates().size());
    Random r = new Random(5);
    float[] x = new float[12 * 40];
    int[] y = new int[12];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextInt(16);
    }
    double[] first = null;
    float[] w1 = null;
    for (int bits : new int[] {0, 128, 256, 512}) {
      System.setProperty(VectorWidth.PROPERTY, String.valueOf(bits));
      Model m = instantiate(new Loader(c), c);
      assertEquals(bits, vectorBits(m));
      m.initialize(11);
      double[] losses = new double[4];
      for (int step = 0; step < losses.length; step++) {
        m.feed("x", x);
        m.feed("y", y);
        losses[step] = m.trainStep();
      }
      if (first == null) {
        first = losses;
        w1 = m.parameter("W1");
      } else {
        Harness.assertClose("losses of variant " + bits, first, losses, 1e-5);
        double[] a = new double[w1.length];
        double[] b = new double[w1.length];
        float[] v = m.parameter("W1");
        for (int i = 0; i < a.length; i++) {
          a[i] = w1[i];
          b[i] = v[i];
        }
        Harness.assertClose("W1 of variant " + bits, a, b, 1e-5);
      }
    }
  }

  /**
   * A kernel too large for one method (a {@code stack} of 150 slices of an input, copied: an
   * input's views are not written in place) is split into methods over halves in every width's
   * nestmate too, whose calling method calls its sibling kernels there.
   */
  @Test
  void splitKernelsRunInEveryVariant() throws Exception {
    String source =
        """
        model LongStack
        const T = 150
        input  x: float[batch, T, 16]
        param  W: float[16, 16] = glorot_uniform
        h[0] = zeros([batch, 16])
        for t in 0 .. T {
          h[t + 1] = tanh(h[t] @ W + x[:, t])
          s[t] = x[:, t]
        }
        output states = stack(h[1 .. T + 1], axis = 1)
        output inputs = stack(s[0 .. T], axis = 1)
        loss mean(states ^ 2)
        """;
    GeneratedClass c =
        org.gradc.compiler.Compilation.of(
                new org.gradc.compiler.diag.SourceFile("long.grad", source),
                org.gradc.compiler.Gradc.Options.defaults()
                    .withPackage(PACKAGE)
                    .withBackend(BackendKind.PORTABLE))
            .generate();
    assertEquals(3, c.nestmates().size());
    assertTrue(
        c.kernels().keySet().stream().anyMatch(k -> k.endsWith("_a")),
        "a split kernel: " + c.kernels().keySet());
    Random r = new Random(8);
    float[] x = new float[3 * 150 * 16];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    Double first = null;
    for (int bits : new int[] {0, 128, 256, 512}) {
      System.setProperty(VectorWidth.PROPERTY, String.valueOf(bits));
      Model m = instantiate(new Loader(c), c);
      assertEquals(bits, vectorBits(m));
      m.initialize(4);
      m.feed("x", x);
      double loss = m.lossAndGradients();
      if (first == null) {
        first = loss;
      } else {
        assertEquals(first, loss, 1e-5 * Math.abs(first), "loss of variant " + bits);
      }
    }
  }

  @Test
  void hiddenClassesCannotBePortable() {
    Graph g;
    try {
      g = VectorBackendTest.mlp(Precision.F32.ir(), 20, 37, 10);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ModelCompiler.generate(
                Harness.training(g, OptimizerKind.SGD),
                new CodegenOptions(
                    Precision.F32, HiddenClasses.PACKAGE, true, null, BackendKind.PORTABLE)));
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
