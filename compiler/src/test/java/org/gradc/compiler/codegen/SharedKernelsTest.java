package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.junit.jupiter.api.Test;

/**
 * {@link StepForm#SHARED}: the Names LSTM's steps share their kernel methods, so the class hardly
 * grows with T, and the shared class computes bitwise what the unrolled one computes.
 */
class SharedKernelsTest {
  static final Path NAMES = Path.of("../examples/src/main/grad/org/gradc/examples/Names.grad");

  /** Names with {@code const T} changed, and {@code H = 8} (gates 32 wide) to keep tests fast. */
  static SourceFile names(int t) throws Exception {
    String text =
        Files.readString(NAMES)
            .replace("const T = 16", "const T = " + t)
            .replace("const H = 128", "const H = 8")
            .replace("[64, 512]", "[64, 32]")
            .replace("[128, 512]", "[8, 32]")
            .replace("[512]", "[32]")
            .replace("[128, 256]", "[8, 256]");
    return new SourceFile("Names.grad", text);
  }

  static GeneratedClass generate(SourceFile source, Precision p, Backend backend, StepForm form)
      throws Exception {
    TrainingGraph tg = Gradc.trainingGraph(source, p);
    GeneratedClass c =
        ModelCompiler.generate(
            tg,
            new CodegenOptions(p, HiddenClasses.PACKAGE, true, "Names.grad").withSteps(form),
            backend);
    Harness.verify(c.bytes());
    return c;
  }

  /**
   * Unrolled, the class grows by a set of kernels per step; shared, T = 16 has at most a few
   * methods more than T = 8 (the first and last steps' kernels differ from the others': no offset
   * to add at t = 0, no later step to receive a gradient from).
   */
  @Test
  void stepsShareTheirMethods() throws Exception {
    Backend backend = new VectorBackend(16, 8);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (StepForm form : StepForm.values()) {
      for (int t : new int[] {8, 16}) {
        GeneratedClass c = generate(names(t), Precision.F32, backend, form);
        Map<String, Integer> sizes = MethodSizes.of(c.bytes());
        counts.put(form + " " + t, sizes.size());
        // gradc dump shows each shared kernel with the call that runs it
        assertEquals(
            form == StepForm.SHARED,
            c.kernels().values().stream().anyMatch(k -> k.startsWith("// runs as kshared$")));
        // gradc train lowers the JIT's thresholds for methods named k* only (the launcher's
        // train_jit, docs/runtime.md) and turns on-stack replacement off; shared methods named
        // otherwise stayed interpreted for hundreds of steps (Names: 250 ms a step, not 8)
        for (String m : sizes.keySet()) {
          if (m.contains("shared")) {
            assertTrue(m.startsWith("k"), m + " is outside the launcher's k* pattern");
          }
        }
        System.out.printf(
            "%s T=%d: %d bytes, %d methods, %d shared%n",
            form,
            t,
            c.bytes().length,
            sizes.size(),
            sizes.keySet().stream().filter(k -> k.startsWith(SharedKernels.PREFIX)).count());
      }
    }
    int unrolledGrowth = counts.get("UNROLLED 16") - counts.get("UNROLLED 8");
    int sharedGrowth = counts.get("SHARED 16") - counts.get("SHARED 8");
    assertTrue(unrolledGrowth > 8 * 20, "unrolled growth " + counts);
    assertTrue(sharedGrowth <= 4, "shared growth " + counts);
    assertTrue(counts.get("SHARED 16") < counts.get("UNROLLED 8") / 2, "shared " + counts);
  }

  /** Same model, inputs and seed: forward, loss, gradients and three Adam steps bit for bit. */
  @Test
  void sharedIsBitwiseTheUnrolledClass() throws Exception {
    for (Precision p : Precision.values()) {
      for (Backend backend : new Backend[] {new ScalarBackend(), new VectorBackend(8, 4)}) {
        SourceFile source = names(4);
        Model unrolled = HiddenClasses.instantiate(generate(source, p, backend, StepForm.UNROLLED));
        Model shared = HiddenClasses.instantiate(generate(source, p, backend, StepForm.SHARED));
        java.util.Random r = new java.util.Random(11);
        int batch = 3;
        int[] x = new int[batch * 4];
        int[] y = new int[batch * 4];
        for (int i = 0; i < x.length; i++) {
          x[i] = r.nextInt(256);
          y[i] = r.nextInt(256);
        }
        for (Model m : new Model[] {unrolled, shared}) {
          m.initialize(3);
          m.feed("x", x);
          m.feed("y", y);
        }
        for (int step = 0; step < 3; step++) {
          assertEquals(
              Double.doubleToRawLongBits(unrolled.trainStep()),
              Double.doubleToRawLongBits(shared.trainStep()),
              p + " loss of step " + step);
        }
        unrolled.forward();
        shared.forward();
        for (org.gradc.runtime.TensorSpec t : unrolled.spec().tensors()) {
          if (t.kind() == TensorKind.INPUT) {
            continue;
          }
          String what = p + " " + backend.getClass().getSimpleName() + " " + t.name();
          if (p == Precision.F32) {
            assertArrayEquals(
                (float[]) unrolled.tensor(t.kind(), t.name()),
                (float[]) shared.tensor(t.kind(), t.name()),
                what);
          } else {
            assertArrayEquals(
                (double[]) unrolled.tensor(t.kind(), t.name()),
                (double[]) shared.tensor(t.kind(), t.name()),
                what);
          }
        }
      }
    }
  }
}
