package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.Compilation;
import org.gradc.compiler.Gradc;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Validation ({@code runEvaluate}) runs the training step's own kernels where they write nothing it
 * must not, so the code the JIT compiled for training serves the first epoch's validation; the
 * inference entry ({@code runForward}) keeps its pruned kernels.
 */
class EvaluateSharingTest {
  static final Path MLP = Path.of("../examples/src/main/grad/org/gradc/examples/FashionMlp.grad");

  /** The kernel methods each entry point calls, in order. */
  static List<String> calls(byte[] bytes, String method) {
    List<String> out = new ArrayList<>();
    new ClassReader(bytes)
        .accept(
            new ClassVisitor(Opcodes.ASM9) {
              @Override
              public MethodVisitor visitMethod(
                  int access, String name, String desc, String sig, String[] ex) {
                if (!name.equals(method)) {
                  return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                  @Override
                  public void visitMethodInsn(
                      int op, String owner, String called, String d, boolean itf) {
                    out.add(called);
                  }
                };
              }
            },
            0);
    return out;
  }

  @Test
  void evaluateSharesTheTrainingKernelsForwardKeepsItsPrunedOnes() throws Exception {
    byte[] bytes = Compilation.of(Gradc.read(MLP), Gradc.Options.defaults()).generate().bytes();
    List<String> step = calls(bytes, "runTrainStep");
    List<String> evaluate = calls(bytes, "runEvaluate");
    List<String> forward = calls(bytes, "runForward");
    // the first layer (x @ W1 + b1, relu) also stores the ReLU mask for the backward pass
    assertEquals("k0", step.get(0));
    assertEquals("k0", evaluate.get(0));
    assertNotEquals("k0", forward.get(0));
    for (String k : evaluate) {
      assertEquals(false, k.endsWith("_step") || k.startsWith("update_"), k);
    }
  }
}
