package org.gradc.maven;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.diag.CompileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bridge against the real compiler. */
class GradcSourceCompilerTest {
  @TempDir Path dir;

  static final String LINE =
      """
      model Line
      input  x: float[batch, 1]
      input  y: float[batch, 1]
      param  w: float[1, 1] = zeros
      param  b: float[1]    = zeros
      pred = x @ w + b
      output pred
      loss   mse(pred, y)
      optimizer sgd(lr = 0.1)
      """;

  private ModelSource write(String text) throws IOException {
    Path f = dir.resolve("org/acme/Line.grad");
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
    return new ModelSource(f, "org/acme/Line.grad", "org.acme");
  }

  @Test
  void compilesIntoThePackageReproducibly() throws Exception {
    ModelSource src = write(LINE);
    GradcSourceCompiler compiler = new GradcSourceCompiler("scalar");
    SourceCompiler.Compiled a = compiler.compile(src, Precision.F32);
    SourceCompiler.Compiled b = compiler.compile(src, Precision.F32);
    assertEquals(java.util.Set.of("org.acme.Line"), a.classes().keySet());
    byte[] bytes = a.classes().get("org.acme.Line");
    assertEquals(0xCAFEBABE, java.nio.ByteBuffer.wrap(bytes).getInt());
    assertArrayEquals(bytes, b.classes().get("org.acme.Line"));
    assertNotEquals(
        Hashes.of(bytes),
        Hashes.of(compiler.compile(src, Precision.F64).classes().get("org.acme.Line")));
  }

  @Test
  void warningsComeBackWithTheClass() throws Exception {
    ModelSource src = write(LINE.replace("pred = ", "param  unused: float[3] = zeros\npred = "));
    SourceCompiler.Compiled c = new GradcSourceCompiler("scalar").compile(src, Precision.F32);
    assertEquals(1, c.classes().size());
    assertEquals(1, c.warnings().size());
    assertEquals("W0001", c.warnings().get(0).code());
    assertFalse(c.warnings().get(0).isError());
  }

  @Test
  void errorsNameTheFileByItsAbsolutePath() throws Exception {
    ModelSource src = write(LINE.replace("= zeros\npred", "= zeros;\npred"));
    CompileException e =
        assertThrows(
            CompileException.class,
            () -> new GradcSourceCompiler("scalar").compile(src, Precision.F32));
    assertTrue(
        e.diagnostics().get(0).headline().startsWith(src.file().toAbsolutePath() + ":"),
        e.diagnostics().get(0).headline());
  }

  @Test
  void vectorBackendWritesAKernelClassPerWidth() throws Exception {
    // wide enough for vector kernels at every width; Maven's JVM needs no vector module for this
    ModelSource src =
        write(
            LINE.replace("float[batch, 1]\ninput  y", "float[batch, 64]\ninput  y")
                .replace("w: float[1, 1]", "w: float[64, 32]")
                .replace("y: float[batch, 1]", "y: float[batch, 32]")
                .replace("b: float[1]", "b: float[32]"));
    SourceCompiler.Compiled c = new GradcSourceCompiler("vector").compile(src, Precision.F32);
    assertEquals(
        java.util.Set.of(
            "org.acme.Line",
            "org.acme.Line$Kernels128",
            "org.acme.Line$Kernels256",
            "org.acme.Line$Kernels512"),
        c.classes().keySet());
    String model = new String(c.classes().get("org.acme.Line"), "ISO-8859-1");
    assertFalse(model.contains("jdk/incubator/vector"), "the model class names the Vector API");
    assertTrue(
        new String(c.classes().get("org.acme.Line$Kernels256"), "ISO-8859-1")
            .contains("SPECIES_256"));
    assertTrue(new GradcSourceCompiler("vector").fingerprint().endsWith("-portable"));
  }

  @Test
  void backendIsCheckedAndPartOfTheFingerprint() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new GradcSourceCompiler("gpu"));
    assertEquals("backend must be scalar or vector, but is 'gpu'", e.getMessage());
    assertTrue(new GradcSourceCompiler("Scalar").fingerprint().endsWith("-scalar"));
  }
}
