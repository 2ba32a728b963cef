package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;
import org.gradc.runtime.TensorKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ModelCompilerTest {

  /**
   * A dense ReLU layer with a mean loss, and its gradients written by hand: the generated class
   * must agree with the evaluator on all of it.
   */
  static Graph dense(DType d) throws Exception {
    Graph.Builder b = Graph.builder().modelName("Dense").precision(d);
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    Node x = e.input("x", new TensorType(d, Shape.batched(3)));
    Node w = e.param("W", new TensorType(d, Shape.of(3, 4)));
    Node bias = e.param("b", new TensorType(d, Shape.of(4)));
    Node z = e.add(e.matmul(x, w), bias);
    Node h = e.max(z, e.scalar(0));
    b.output("h", h);
    Node loss = e.mean(h, false, 0, 1);
    b.loss(loss);
    Node count = e.mul(e.batchSize(d), e.scalar(4));
    Node gh = e.div(e.fill(1, Shape.batched(4)), count);
    Node mask = e.compare(Scalar.BinaryFn.GT, z, e.scalar(0));
    Node gz = e.where(mask, gh, e.scalar(0));
    b.gradient("W", e.matmul(x, gz, true, false));
    b.gradient("b", e.sum(gz, false, 0));
    return b.build();
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void denseLayerMatchesEvaluator(Precision p) throws Exception {
    Graph g = dense(p.ir());
    Model m = Harness.load(Harness.training(g, OptimizerKind.SGD), p);
    for (int batch : new int[] {1, 3, 7, 2}) {
      Harness.compareWithEvaluator(m, g, batch, batch, p);
    }
  }

  @Test
  void sameGraphGivesSameBytes() throws Exception {
    TrainingGraph tg = Harness.training(dense(DType.F32), OptimizerKind.ADAM);
    CodegenOptions o = new CodegenOptions(Precision.F32, "org.example", true, "d.grad");
    assertArrayEquals(
        ModelCompiler.generate(tg, o).bytes(),
        ModelCompiler.generate(Harness.training(dense(DType.F32), OptimizerKind.ADAM), o).bytes());
  }

  @Test
  void aheadOfTimeClassIsNamedInItsPackage() throws Exception {
    TrainingGraph tg = Harness.training(dense(DType.F32), OptimizerKind.SGD);
    GeneratedClass c =
        ModelCompiler.generate(tg, new CodegenOptions(Precision.F32, "org.example", true, null));
    assertEquals("org.example.Dense", c.binaryName());
    assertEquals("org/example/Dense.class", c.classFilePath());
    Harness.verify(c.bytes());
  }

  @Test
  void hiddenClassCopiesItself() throws Exception {
    Model m = Harness.load(Harness.training(dense(DType.F32), OptimizerKind.SGD), Precision.F32);
    m.parameter("W")[0] = 42f;
    Model c = m.copy();
    assertNotSame(m, c);
    assertEquals(m.getClass(), c.getClass());
    assertEquals(42f, c.parameter("W")[0]);
    assertTrue(m.getClass().isHidden());
  }

  @Test
  void sgdStepMovesParametersAgainstTheGradient() throws Exception {
    Graph g = dense(DType.F64);
    Model m = Harness.load(Harness.training(g, OptimizerKind.SGD), Precision.F64);
    m.hyperParameter("lr", 0.5);
    m.feed("x", new double[] {1, 2, 3, -1, 0.5, 2});
    double before = m.lossAndGradients();
    double[] w = ((double[]) m.tensor(TensorKind.PARAM, "W")).clone();
    double[] gw = ((double[]) m.tensor(TensorKind.GRADIENT, "W")).clone();
    double loss = m.trainStep();
    assertEquals(before, loss, 1e-15);
    double[] after = (double[]) m.tensor(TensorKind.PARAM, "W");
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i] - 0.5 * gw[i], after[i], 1e-15);
    }
  }

  @Test
  void wrongFeedIsAnErrorNamingTheInput() throws Exception {
    Model m = Harness.load(Harness.training(dense(DType.F32), OptimizerKind.SGD), Precision.F32);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> m.feed("x", new float[4]));
    assertTrue(e.getMessage().contains("'x'"), e.getMessage());
  }

  @Test
  void specListsEveryTensor() throws Exception {
    Model m = Harness.load(Harness.training(dense(DType.F32), OptimizerKind.ADAM), Precision.F32);
    assertEquals(
        "[input x: F32[batch, 3], param W: F32[3, 4], param b: F32[4], output h: F32[batch, 4],"
            + " gradient W: F32[3, 4], gradient b: F32[4], state W.m: F32[3, 4],"
            + " state W.v: F32[3, 4], state b.m: F32[4], state b.v: F32[4]]",
        m.spec().tensors().toString());
    assertEquals(Map.of(), Map.of());
  }

  /** Constants (made by constant folding) are embedded, in helper methods when large. */
  @ParameterizedTest
  @EnumSource(Precision.class)
  void largeConstantsAreEmbedded(Precision p) throws Exception {
    Graph.Builder b = Graph.builder().modelName("Consts").precision(p.ir());
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    double[] values = new double[1500];
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 7 == 0 ? 0 : Math.sin(i);
    }
    Node x = e.input("x", new TensorType(p.ir(), Shape.batched(1500)));
    Node w = e.param("w", new TensorType(p.ir(), Shape.of(1500)));
    Node c = e.constant(values, Shape.of(1500), p.ir());
    Node out = e.mul(e.mul(x, c), w);
    b.output("out", out);
    b.loss(e.sum(out, false));
    Graph g = org.gradc.compiler.autodiff.Autodiff.differentiate(b.build());
    GeneratedClass gen = Harness.generate(Harness.training(g, OptimizerKind.SGD), p);
    assertTrue(MethodSizes.of(gen.bytes()).containsKey("constants$2()V"));
    Harness.compareWithEvaluator(HiddenClasses.instantiate(gen), g, 3, 9, p);
  }

  /** An ahead-of-time class is an ordinary class: a class loader defines it by name. */
  @Test
  void aheadOfTimeClassLoadsByName() throws Exception {
    Graph g = dense(DType.F64);
    GeneratedClass c =
        ModelCompiler.generate(
            Harness.training(g, OptimizerKind.SGD),
            new CodegenOptions(Precision.F64, "org.example.models", true, "dense.grad"));
    ClassLoader loader =
        new ClassLoader(getClass().getClassLoader()) {
          @Override
          protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (!name.equals(c.binaryName())) {
              throw new ClassNotFoundException(name);
            }
            byte[] b = c.bytes();
            return defineClass(name, b, 0, b.length);
          }
        };
    Class<?> cls = loader.loadClass("org.example.models.Dense");
    Model m = (Model) cls.getConstructor().newInstance();
    assertTrue(!cls.isHidden());
    Harness.compareWithEvaluator(m, g, 4, 2, Precision.F64);
    assertEquals(cls, m.copy().getClass());
  }
}
