package org.gradc.compiler.codegen;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole models through the whole pipeline (front end, autodiff, optimizer passes, code generator):
 * every example model and one model per prelude function, in f32 and f64, generated outputs, loss
 * and gradients against the reference evaluator on the same optimized graph, with random weights at
 * the scale of their fan-in.
 */
class SourceDifferentialTest {
  static final Path MODELS = Path.of("src/test/resources/models");

  static Stream<Arguments> examples() throws Exception {
    try (Stream<Path> files = Files.list(MODELS)) {
      return Stream.concat(
          files.filter(f -> f.toString().endsWith(".grad")).sorted(),
          Stream.of(
              org.gradc.compiler.Examples.FASHION_MLP, org.gradc.compiler.Examples.FASHION_CNN))
          .flatMap(f -> Stream.of(Arguments.of(f, Precision.F32), Arguments.of(f, Precision.F64)))
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleModel(Path file, Precision p) throws Exception {
    // in the vector runs (compiler/pom.xml) the next test already checks these models
    org.junit.jupiter.api.Assumptions.assumeFalse(Harness.backend() instanceof VectorBackend);
    check(Gradc.read(file), p);
  }

  /** The example models through the vector back end too (when this JVM has the module). */
  @ParameterizedTest
  @MethodSource("examples")
  void exampleModelWithVectorBackEnd(Path file, Precision p) throws Exception {
    Backend vector = VectorBackend.forThisJvm();
    org.junit.jupiter.api.Assumptions.assumeTrue(vector instanceof VectorBackend);
    check(Gradc.read(file), p, vector);
  }

  static void check(SourceFile source, Precision p) throws Exception {
    check(source, p, Harness.backend());
  }

  static void check(SourceFile source, Precision p, Backend backend) throws Exception {
    TrainingGraph tg = Gradc.trainingGraph(source, p);
    Model m = HiddenClasses.instantiate(Harness.generate(tg, p, backend));
    for (int batch : new int[] {1, 6, 3}) {
      // weights at their initializers' scale: with ±1, FashionMlp's softmax sits at the f32
      // tolerance whatever the order of its sums (Harness.compareWithEvaluator)
      Harness.compareWithEvaluator(m, tg.graph(), batch, batch * 31L, p, true);
    }
  }

  /** Each prelude function in a small model: {@code name, output expression, loss expression}. */
  static Stream<Arguments> preludeFunctions() {
    String[][] cases = {
      {"relu", "relu(z)", "mean(o * t)"},
      {"leaky_relu", "leaky_relu(z, alpha = 0.1)", "mean(o * t)"},
      {"softplus", "softplus(z)", "mean(o * t)"},
      {"log_sigmoid", "log_sigmoid(z)", "mean(o * t)"},
      {"silu", "silu(z)", "mean(o * t)"},
      {"gelu", "gelu(z)", "mean(o * t)"},
      {"square", "square(z)", "mean(o * t)"},
      {"clip", "clip(z, -0.3, 0.4)", "mean(o * t)"},
      {"dense", "dense(x, W, b)", "mean(o * t)"},
      {"linear", "linear(x, W)", "mean(o * t)"},
      {"logsumexp", "logsumexp(z, keepdims = true)", "mean(o)"},
      {"log_softmax", "log_softmax(z)", "mean(o * t)"},
      {"softmax", "softmax(z, axis = 1)", "mean(o * t)"},
      {"cross_entropy", "softmax(z)", "mean(cross_entropy(z, y, classes = 5))"},
      {"bce", "sigmoid(z)", "mean(binary_cross_entropy_with_logits(z, t))"},
      {"squared_error", "z", "mean(squared_error(z, t))"},
      {"mse", "z", "mse(z, t)"},
      {"mae", "z", "mae(z, t)"},
      {"l2", "z", "mean(z * t) + 0.01 * l2(W)"},
    };
    return Stream.of(cases)
        .flatMap(
            c ->
                Stream.of(
                    Arguments.of(c[0], c[1], c[2], Precision.F32),
                    Arguments.of(c[0], c[1], c[2], Precision.F64)));
  }

  @ParameterizedTest(name = "{0} {3}")
  @MethodSource("preludeFunctions")
  void preludeFunction(String name, String output, String loss, Precision p) throws Exception {
    StringBuilder s = new StringBuilder("model P\n");
    s.append("input x: float[batch, 5]\n");
    boolean labels = loss.contains(", y,");
    boolean targets = loss.contains("t)") || loss.contains("* t");
    if (labels) {
      s.append("input y: int[batch]\n");
    }
    if (targets) {
      s.append("input t: float[batch, 5]\n");
    }
    s.append("param W: float[5, 5] = normal(0, 0.7)\n");
    s.append("param b: float[5] = uniform(-0.5, 0.5)\n");
    s.append("z = x @ W + b\n");
    s.append("output o = ").append(output).append('\n');
    s.append("loss ").append(loss).append('\n');
    check(new SourceFile(name + ".grad", s.toString()), p);
  }
}
