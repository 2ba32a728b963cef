package org.gradc.maven;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.gradc.compiler.codegen.Precision;
import org.gradc.runtime.DType;
import org.gradc.runtime.Model;
import org.gradc.runtime.ModelSpec;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The typed wrappers: generated from a real compiled model, compiled with javac, and used; a
 * misspelled input does not compile; awkward names map to legal, distinct Java names.
 */
class TypedApiTest {
  @TempDir Path dir;

  static final String CLASSIFIER =
      """
      model Tiny
      input  x: float[batch, 3]
      input  y: int[batch]
      param  W: float[3, 4] = glorot_uniform
      param  b: float[4]    = zeros
      logits = x @ W + b
      output probs = softmax(logits)
      loss   mean(cross_entropy(logits, y, classes = 4))
      optimizer sgd(lr = 0.1)
      """;

  /** Compiles CLASSIFIER into classes/, records it in a build state, generates the wrapper. */
  private TypedApiSources.Result generate(Path classes, Path sources) throws Exception {
    Path grad = dir.resolve("src/org/acme/Tiny.grad");
    Files.createDirectories(grad.getParent());
    Files.writeString(grad, CLASSIFIER);
    SourceCompiler.Compiled c =
        new GradcSourceCompiler("scalar")
            .compile(new ModelSource(grad, "org/acme/Tiny.grad", "org.acme"), Precision.F32);
    TreeMap<String, String> outputs = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : c.classes().entrySet()) {
      Path out = classes.resolve(GradcBuild.classFile(e.getKey()));
      Files.createDirectories(out.getParent());
      Files.write(out, e.getValue());
      outputs.put(GradcBuild.classFile(e.getKey()), Hashes.of(e.getValue()));
    }
    BuildState state = BuildState.empty("test");
    state.put("org/acme/Tiny.grad", new BuildState.Entry("h", "o", new TreeMap<>(), outputs));
    return TypedApiSources.update(
        state, classes, sources, dir.resolve("state/compile.typed-api"), new NullLog());
  }

  /** javac over {@code files} against {@code classes} and the runtime; the diagnostics, or "". */
  private static String javac(Path classes, Path out, List<Path> files) throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    String runtime =
        Path.of(Model.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    List<String> args =
        new ArrayList<>(
            List.of(
                "-d",
                out.toString(),
                "-cp",
                classes + File.pathSeparator + runtime,
                "-Xlint:all",
                "-Werror"));
    files.forEach(f -> args.add(f.toString()));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = javac.run(null, null, err, args.toArray(String[]::new));
    String text = err.toString(StandardCharsets.UTF_8);
    return status == 0 ? "" : text.isEmpty() ? "javac failed" : text;
  }

  @Test
  void wrapperCompilesAndDrivesTheModel() throws Exception {
    Path classes = dir.resolve("classes");
    Path sources = dir.resolve("gen");
    TypedApiSources.Result r = generate(classes, sources);
    assertEquals(new TypedApiSources.Result(1, 1, 0), r);
    Path api = sources.resolve("org/acme/TinyApi.java");
    String text = Files.readString(api);
    assertTrue(text.contains("public TinyApi feedX(float[] x)"), text);
    assertTrue(text.contains("public TinyApi feedY(int[] y)"), text);
    assertTrue(text.contains("public float[] probs()"), text);
    assertTrue(text.contains("public float[] W()"), text);
    assertTrue(text.contains("each label in [0, 4)"), text);

    // The user's code, compiled against the generated wrapper.
    Path user = dir.resolve("user/org/acme/UseTiny.java");
    Files.createDirectories(user.getParent());
    Files.writeString(
        user,
        """
        package org.acme;
        public final class UseTiny {
          public static float[] run() {
            TinyApi m = new TinyApi();
            m.W()[0] = 0.5f;
            m.feedX(new float[] {1, 2, 3, 4, 5, 6}).feedY(new int[] {1, 3});
            m.trainStep();
            return m.feedX(new float[] {1, 2, 3}).forward().probs();
          }
        }
        """);
    Path out = dir.resolve("out");
    assertEquals("", javac(classes, out, List.of(api, user)));
    try (URLClassLoader l =
        new URLClassLoader(
            new URL[] {out.toUri().toURL(), classes.toUri().toURL()},
            Model.class.getClassLoader())) {
      float[] typed = (float[]) l.loadClass("org.acme.UseTiny").getMethod("run").invoke(null);
      // The same through the string API.
      Model m = (Model) l.loadClass("org.acme.Tiny").getConstructor().newInstance();
      m.parameter("W")[0] = 0.5f;
      m.feed("x", new float[] {1, 2, 3, 4, 5, 6});
      m.feed("y", new int[] {1, 3});
      m.trainStep();
      m.feed("x", new float[] {1, 2, 3});
      m.forward();
      assertArrayEquals(m.output("probs"), typed);
    }

    // A misspelled input is a compile error, not a run-time one.
    Files.writeString(user, Files.readString(user).replace("feedY(", "feedLabels("));
    String errors = javac(classes, dir.resolve("out2"), List.of(api, user));
    assertTrue(errors.contains("cannot find symbol") && errors.contains("feedLabels"), errors);
  }

  @Test
  void unchangedWrappersAreNotRewrittenAndOnlyOurStaleOnesAreDeleted() throws Exception {
    Path classes = dir.resolve("classes");
    Path sources = dir.resolve("gen").toAbsolutePath();
    generate(classes, sources);
    Path api = sources.resolve("org/acme/TinyApi.java");
    long stamp = Files.getLastModifiedTime(api).toMillis();
    // One wrapper of ours whose model is gone (listed in the record), and a file another
    // execution wrote into the same folder (not listed).
    Path gone = sources.resolve("org/old/GoneApi.java");
    Path theirs = sources.resolve("org/other/TheirsApi.java");
    for (Path f : List.of(gone, theirs)) {
      Files.createDirectories(f.getParent());
      Files.writeString(f, "class X {}");
    }
    Path record = dir.resolve("state/compile.typed-api");
    Files.writeString(record, api + "\n" + gone + "\n");
    Thread.sleep(20);
    assertEquals(new TypedApiSources.Result(1, 0, 1), generate(classes, sources));
    assertEquals(stamp, Files.getLastModifiedTime(api).toMillis());
    assertFalse(Files.exists(gone));
    assertTrue(Files.exists(theirs));
    assertEquals(List.of(api.toString()), Files.readAllLines(record));
  }

  @Test
  void awkwardNamesBecomeLegalDistinctJavaNames() {
    List<TensorSpec> t = new ArrayList<>();
    int b = TensorSpec.BATCH;
    t.add(new TensorSpec("class", TensorKind.INPUT, DType.F64, new int[] {b, 2}, "class", null, 0));
    t.add(new TensorSpec("x", TensorKind.INPUT, DType.F64, new int[] {b, 2}, "x", null, 0));
    t.add(new TensorSpec("feedX", TensorKind.PARAM, DType.F64, new int[] {2}, "feedX", null, 0));
    t.add(
        new TensorSpec("forward", TensorKind.PARAM, DType.F64, new int[] {2}, "forward", null, 0));
    t.add(new TensorSpec("int", TensorKind.OUTPUT, DType.F64, new int[] {b, 2}, "int", null, 0));
    t.add(new TensorSpec("2nd", TensorKind.OUTPUT, DType.F64, new int[] {b, 2}, "2nd", null, 0));
    ModelSpec spec =
        new ModelSpec("Weird", DType.F64, t, OptimizerKind.SGD, new double[] {0.1, 0, 0, 0});
    String s = TypedApiWriter.source("Weird", spec, "Weird.grad");
    assertFalse(s.contains("package"), "the unnamed package has no package line");
    assertTrue(s.contains("public WeirdApi feedClass(double[] class_)"), s);
    assertTrue(s.contains("public WeirdApi feedX(double[] x)"), s);
    assertTrue(s.contains("public float[] int_()"), s);
    assertTrue(s.contains("public float[] _2nd()"), s);
    assertTrue(s.contains("public double[] feedX_()"), s);
    assertTrue(s.contains("public double[] forward_()"), s);
    assertTrue(s.contains("model.feed(\"class\", class_)"), s);
  }

  /** A log that drops everything. */
  private static final class NullLog implements BuildLog {
    @Override
    public void info(String line) {}

    @Override
    public void warn(String line) {}

    @Override
    public void error(String line) {}

    @Override
    public void debug(String line) {}
  }
}
