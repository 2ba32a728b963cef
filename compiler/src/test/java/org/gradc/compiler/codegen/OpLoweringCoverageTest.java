package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Elementwise;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Op;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.runtime.OptimizerKind;
import org.junit.jupiter.api.Test;

/**
 * Every op class of the IR has a code-generation rule, found without a list kept by hand: the test
 * walks the compiled {@code ir.ops} package. An op the code generator cannot compile is a located
 * error, never a crash.
 */
class OpLoweringCoverageTest {
  private static final Path OPS =
      Path.of("target", "classes", "org", "gradc", "compiler", "ir", "ops");

  @Test
  void everyOpClassHasACodeGenerationRule() throws Exception {
    Set<String> missing = new TreeSet<>();
    int ops = 0;
    try (Stream<Path> files = Files.list(OPS)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".class")) {
          continue;
        }
        Class<?> c = Class.forName("org.gradc.compiler.ir.ops." + name.replace(".class", ""));
        if (!Op.class.isAssignableFrom(c)
            || c.isInterface()
            || Modifier.isAbstract(c.getModifiers())) {
          continue;
        }
        ops++;
        boolean ruled =
            OpLowerings.registered().containsKey(c) || Elementwise.class.isAssignableFrom(c);
        if (!ruled) {
          missing.add(c.getSimpleName());
        }
      }
    }
    assertTrue(ops > 30, "found only " + ops + " op classes under " + OPS);
    assertTrue(
        missing.isEmpty(),
        "op classes without a code-generation rule (register one in codegen/OpLowerings): "
            + missing);
  }

  /** An op only this test knows: the code generator has no rule for it. */
  private record Mystery() implements Op {
    @Override
    public String name() {
      return "mystery";
    }

    @Override
    public TensorType infer(List<TensorType> inputs) {
      return inputs.get(0);
    }

    @Override
    public List<Node> vjp(Node out, Node cotangent, Graph.Builder b) {
      return List.of(cotangent);
    }

    @Override
    public double[] evaluate(Node out, List<double[]> inputs, int batch) {
      return inputs.get(0).clone();
    }
  }

  @Test
  void anOpWithoutARuleIsALocatedError() throws Exception {
    SourceFile file = new SourceFile("m.grad", "model M\nh = mystery(x)\n");
    SourceSpan at = new SourceSpan(file, 12, 22);
    Graph.Builder b = Graph.builder().modelName("M").precision(DType.F32);
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    Node x = e.input("x", new TensorType(DType.F32, Shape.batched(3)));
    Node h = b.node(new Mystery(), List.of(x), at);
    b.output("h", h);
    TrainingGraph tg = Harness.training(b.build(), OptimizerKind.SGD);
    UnsupportedOpException ex =
        assertThrows(
            UnsupportedOpException.class,
            () -> ModelCompiler.generate(tg, CodegenOptions.defaults()));
    assertEquals("E0701", ex.diagnostic().code());
    assertTrue(
        ex.diagnostic().render().startsWith("m.grad:2:5: error[E0701]"), ex.diagnostic().render());
    assertTrue(ex.diagnostic().render().contains("mystery"), ex.diagnostic().render());
  }
}
