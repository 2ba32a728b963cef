package org.gradc.compiler.codegen;

import java.nio.charset.StandardCharsets;
import org.gradc.compiler.ir.DType;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;

/**
 * Run by {@link VectorBackendTest} in a JVM without {@code jdk.incubator.vector}: generates a model
 * twice with the default back end, trains it, and prints whether the classes use the Vector API.
 */
final class ScalarFallbackMain {
  private ScalarFallbackMain() {}

  public static void main(String[] args) throws Exception {
    for (int i = 0; i < 2; i++) {
      TrainingGraph tg = Harness.training(ModelCompilerTest.dense(DType.F32), OptimizerKind.SGD);
      GeneratedClass c =
          ModelCompiler.generate(
              tg, new CodegenOptions(Precision.F32, HiddenClasses.PACKAGE, true, "d.grad"));
      boolean vector =
          new String(c.bytes(), StandardCharsets.ISO_8859_1).contains("jdk/incubator/vector/");
      Model m = HiddenClasses.instantiate(c);
      m.feed("x", new float[] {1, 2, 3});
      double loss = m.trainStep();
      System.out.println("vector=" + vector + " finite=" + Double.isFinite(loss));
    }
  }
}
