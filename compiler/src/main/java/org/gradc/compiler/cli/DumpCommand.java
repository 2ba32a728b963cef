package org.gradc.compiler.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.MethodSizes;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.SourceFile;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.util.Textifier;
import org.objectweb.asm.util.TraceMethodVisitor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gradc dump FILE [--method NAME]}: the generated class of a model, method by method: for
 * each kernel a readable pseudo-Java rendering (with comments naming the source line it came from)
 * and the bytecode listing, with each method's size against HotSpot's 8,000-byte limit.
 */
@Command(
    name = "dump",
    mixinStandardHelpOptions = true,
    description = {
      "Shows the code generated for a .grad model: pseudo-Java of every kernel and the bytecode.",
      "Exit status: 0 success, 1 the model has errors or cannot be read, 2 bad usage."
    })
final class DumpCommand implements Callable<Integer> {

  @Parameters(paramLabel = "FILE", description = "the .grad file")
  Path file;

  @Option(
      names = "--method",
      paramLabel = "NAME",
      description = "show only this method (e.g. k3, runTrainStep)")
  String method;

  @Mixin GeneratorOptions generator;

  @Option(
      names = "--no-bytecode",
      description = "show only the kernels, as pseudo-Java, without the bytecode")
  boolean noBytecode;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    GeneratedClass c;
    try {
      SourceFile source = new SourceFile(file.toString(), CheckCommand.read(file));
      c = Gradc.generate(source, generator.options());
    } catch (IOException e) {
      err.println("gradc: cannot read " + file + ": " + CheckCommand.reason(e));
      err.flush();
      return 1;
    } catch (CompileException e) {
      err.print(e.render());
      err.flush();
      return 1;
    }
    Map<String, String> bytecode = bytecode(c.bytes());
    Map<String, Integer> sizes = new LinkedHashMap<>();
    MethodSizes.of(c.bytes()).forEach((k, v) -> sizes.put(k.substring(0, k.indexOf('(')), v));
    // a kernel that shares a method with other steps' (StepForm.SHARED) is shown before it
    Map<String, String> listed = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : bytecode.entrySet()) {
      if (e.getKey().startsWith("kshared$")) {
        for (String k : c.kernels().keySet()) {
          if (!bytecode.containsKey(k)) {
            listed.putIfAbsent(k, "");
          }
        }
      }
      listed.put(e.getKey(), e.getValue());
    }
    bytecode = listed;
    if (method != null && !bytecode.containsKey(method)) {
      err.println(
          "gradc: no method '"
              + method
              + "' in "
              + c.binaryName()
              + "; methods are "
              + bytecode.keySet());
      err.flush();
      return 1;
    }
    out.println("// class " + c.binaryName() + " (" + c.bytes().length + " bytes)");
    for (Map.Entry<String, String> e : bytecode.entrySet()) {
      String name = e.getKey();
      String java = c.kernels().get(name);
      if (method != null ? !method.equals(name) : noBytecode && java == null) {
        continue;
      }
      out.println();
      out.println(
          "// ---- "
              + name
              + ": "
              + sizes.getOrDefault(name, 0)
              + " bytes of bytecode (limit "
              + MethodSizes.HUGE_METHOD_LIMIT
              + ")");
      if (java != null) {
        out.println("void " + name + "(int n) {");
        java.lines().forEach(l -> out.println("  " + l));
        out.println("}");
      }
      if (!noBytecode || java == null) {
        out.print(e.getValue()); // empty for a kernel that runs as a shared method
      }
    }
    out.flush();
    return 0;
  }

  /** The Textifier listing of every method, by name. */
  static Map<String, String> bytecode(byte[] bytes) {
    Map<String, String> out = new LinkedHashMap<>();
    new ClassReader(bytes)
        .accept(
            new ClassVisitor(Opcodes.ASM9) {
              @Override
              public MethodVisitor visitMethod(
                  int access, String name, String desc, String sig, String[] exceptions) {
                Textifier t = new Textifier();
                return new MethodVisitor(Opcodes.ASM9, new TraceMethodVisitor(t)) {
                  @Override
                  public void visitEnd() {
                    super.visitEnd();
                    StringWriter w = new StringWriter();
                    PrintWriter pw = new PrintWriter(w);
                    pw.println("  // bytecode of " + name + desc);
                    t.print(pw);
                    pw.flush();
                    out.merge(name, w.toString(), String::concat);
                  }
                };
              }
            },
            0);
    return out;
  }
}
