package org.gradc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CompileAndDumpCommandTest {
  static final String XOR = "src/test/resources/models/xor.grad";
  static final String MLP = org.gradc.compiler.Examples.FASHION_MLP.toString();

  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = GradcCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int status = cl.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  @Test
  void compileWritesClassFilesInTheirPackageFolder(@TempDir Path dir) throws Exception {
    Run r = run("compile", XOR, MLP, "-d", dir.toString(), "--package", "org.acme");
    assertEquals(0, r.status(), r.err());
    Path xor = dir.resolve("org/acme/Xor.class");
    assertTrue(Files.exists(xor), r.out());
    assertTrue(Files.exists(dir.resolve("org/acme/FashionMlp.class")));
    // class files go to other machines: vector kernels for each width, picked when loaded
    for (int bits : new int[] {128, 256, 512}) {
      Path k = dir.resolve("org/acme/FashionMlp$Kernels" + bits + ".class");
      assertTrue(Files.exists(k), r.out());
      org.gradc.compiler.codegen.Harness.verify(Files.readAllBytes(k));
    }
    Path scalar = dir.resolve("scalar");
    assertEquals(0, run("compile", MLP, "-d", scalar.toString(), "--backend", "scalar").status());
    try (var files = Files.list(scalar)) {
      assertEquals(java.util.List.of(scalar.resolve("FashionMlp.class")), files.toList());
    }
    byte[] first = Files.readAllBytes(xor);
    assertEquals(0, run("compile", XOR, "-d", dir.toString(), "--package", "org.acme").status());
    assertTrue(java.util.Arrays.equals(first, Files.readAllBytes(xor)), "reproducible");
    org.gradc.compiler.codegen.Harness.verify(first);
  }

  @Test
  void compileInferenceOnlyWritesASmallerClassWithoutTrainingEntryPoints(@TempDir Path dir)
      throws Exception {
    Path train = dir.resolve("train");
    Path infer = dir.resolve("infer");
    assertEquals(0, run("compile", MLP, "-d", train.toString()).status());
    Run r = run("compile", MLP, "-d", infer.toString(), "--inference");
    assertEquals(0, r.status(), r.err());
    byte[] bytes = Files.readAllBytes(infer.resolve("FashionMlp.class"));
    org.gradc.compiler.codegen.Harness.verify(bytes);
    assertTrue(bytes.length < Files.size(train.resolve("FashionMlp.class")));
    java.util.Set<String> methods = new java.util.HashSet<>();
    new org.objectweb.asm.ClassReader(bytes)
        .accept(
            new org.objectweb.asm.ClassVisitor(org.objectweb.asm.Opcodes.ASM9) {
              @Override
              public org.objectweb.asm.MethodVisitor visitMethod(
                  int access, String name, String desc, String sig, String[] ex) {
                methods.add(name);
                return null;
              }
            },
            0);
    assertTrue(methods.contains("runForward") && methods.contains("runEvaluate"), "" + methods);
    for (String m : new String[] {"runGradients", "runTrainStep", "runUpdate"}) {
      assertTrue(!methods.contains(m), m + " in " + methods);
    }
  }

  @Test
  void compileInDoublePrecision(@TempDir Path dir) {
    Run r = run("compile", XOR, "-d", dir.toString(), "--precision", "f64");
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.exists(dir.resolve("Xor.class")));
  }

  @Test
  void badPrecisionIsAUsageError(@TempDir Path dir) {
    Run r = run("compile", XOR, "-d", dir.toString(), "--precision", "f16");
    assertEquals(2, r.status());
    assertTrue(r.err().contains("'f16' is not a precision"), r.err());
  }

  @Test
  void compileReportsModelErrorsAndMissingFiles(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("Bad.grad");
    Files.writeString(bad, "model Bad\ninput x: float[batch, 2]\nloss mean(exp(q))\n");
    Run r =
        run("compile", bad.toString(), dir.resolve("none.grad").toString(), "-d", dir.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains("Bad.grad:3:"), r.err());
    assertTrue(r.err().contains("none.grad: no such file"), r.err());
  }

  @Test
  void dumpShowsKernelsWithSourceLinesAndBytecode() {
    Run r = run("dump", MLP, "--backend", "scalar");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("void k0(int n) {"), r.out());
    assertTrue(r.out().contains("FashionMlp.grad:11"), "loops name their source line");
    assertTrue(r.out().contains("fma(a0, bv,"), "saxpy form");
    assertTrue(r.out().contains("INVOKESTATIC java/lang/Math.fma (FFF)F"), "bytecode listing");
    assertTrue(r.out().contains("bytes of bytecode (limit 8000)"));
  }

  @Test
  void dumpOneMethod() {
    Run r = run("dump", XOR, "--method", "runTrainStep");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("runTrainStep"), r.out());
    assertTrue(!r.out().contains("void k0(int n)"), r.out());
    Run missing = run("dump", XOR, "--method", "nope");
    assertEquals(1, missing.status());
    assertTrue(missing.err().contains("no method 'nope'"), missing.err());
  }
}
