package org.gradc.compiler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;
import org.junit.jupiter.api.Test;

class GradcTest {
  static final Path MODELS = Path.of("src/test/resources/models");

  @Test
  void compilesXorInMemoryAndLearnsIt() throws Exception {
    Model m = Gradc.compile(MODELS.resolve("xor.grad"));
    m.feed("x", new float[] {0, 0, 0, 1, 1, 0, 1, 1});
    m.feed("y", new float[] {0, 1, 1, 0});
    double first = m.trainStep();
    double last = first;
    for (int i = 0; i < 2000; i++) {
      last = m.trainStep();
    }
    assertTrue(last < 0.05, first + " -> " + last);
    m.forward();
    float[] p = m.output("p");
    assertTrue(p[0] < 0.2 && p[1] > 0.8 && p[2] > 0.8 && p[3] < 0.2, java.util.Arrays.toString(p));
  }

  @Test
  void aheadOfTimeBytesAreDeterministicAndPackaged() throws Exception {
    SourceFile f = Gradc.read(Examples.FASHION_MLP);
    Gradc.Options o = Gradc.Options.defaults().withPackage("org.acme");
    GeneratedClass a = Gradc.generate(f, o);
    GeneratedClass b = Gradc.generate(Gradc.read(Examples.FASHION_MLP), o);
    assertEquals("org.acme.FashionMlp", a.binaryName());
    assertArrayEquals(a.bytes(), b.bytes());
  }

  @Test
  void f64IsSelectable() throws Exception {
    Model m =
        Gradc.compile(
            MODELS.resolve("xor.grad"), Gradc.Options.defaults().withPrecision(Precision.F64));
    assertEquals(org.gradc.runtime.DType.F64, m.spec().precision());
    assertTrue(m.tensor(org.gradc.runtime.TensorKind.PARAM, "W1") instanceof double[]);
  }

  @Test
  void badModelIsACompileError() {
    CompileException e =
        assertThrows(
            CompileException.class,
            () -> Gradc.compile("model M\ninput x: float[batch, 2]\noutput y = exp(z)\n"));
    assertTrue(e.getMessage().contains("error[E"), e.getMessage());
  }

  @Test
  void badPackageIsRejected() {
    assertThrows(
        IllegalArgumentException.class, () -> Gradc.Options.defaults().withPackage("org..x"));
  }
}
