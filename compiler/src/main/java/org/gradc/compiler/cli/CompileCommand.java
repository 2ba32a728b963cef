package org.gradc.compiler.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.BackendKind;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.SourceFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gradc compile FILE... -d DIR}: compiles each model to a class file under {@code DIR} (in
 * the folder of its package), as the Maven plugin does. Exit status 0 when every model compiles, 1
 * when any has an error or cannot be read or written, 2 on bad usage.
 */
@Command(
    name = "compile",
    mixinStandardHelpOptions = true,
    description = {
      "Compiles .grad models to .class files (one class per model, extending"
          + " org.gradc.runtime.Model; unless --backend scalar, with nestmates Model$Kernels128,"
          + " 256 and 512 of Vector API kernels, of which the class runs the ones the JVM"
          + " loading it prefers).",
      "Exit status: 0 all compiled, 1 a model has errors or a file cannot be read or written,"
          + " 2 bad usage."
    })
final class CompileCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "the .grad files to compile")
  List<Path> files;

  @Option(
      names = "-d",
      paramLabel = "DIR",
      required = true,
      description = "where to write the class files")
  Path dir;

  @Option(
      names = "--package",
      paramLabel = "P",
      defaultValue = "",
      description = "the package of the generated classes (default: none)")
  String packageName;

  @Mixin GeneratorOptions generator;

  @Option(names = "--no-fma", description = "multiply and add separately instead of Math.fma")
  boolean noFma;

  @Option(
      names = "--inference",
      description =
          "an inference-only class: forward and evaluate only, no gradients, optimizer state or"
              + " training code (loads a training checkpoint)")
  boolean inference;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Gradc.Options options;
    try {
      options =
          generator.options().withPackage(packageName).withFma(!noFma).withInference(inference);
      // class files run on other machines: vector kernels for every width, picked when loaded
      if (options.backend() != BackendKind.SCALAR) {
        options = options.withBackend(BackendKind.PORTABLE);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    int status = 0;
    for (Path path : files) {
      SourceFile source;
      try {
        source = new SourceFile(path.toString(), CheckCommand.read(path));
      } catch (IOException e) {
        err.println("gradc: cannot read " + path + ": " + CheckCommand.reason(e));
        status = 1;
        continue;
      }
      GeneratedClass c;
      try {
        c = Gradc.generate(source, options);
      } catch (CompileException e) {
        err.print(e.render());
        long n = e.errorCount();
        err.println(path + ": " + n + (n == 1 ? " error" : " errors"));
        status = 1;
        continue;
      }
      Path target = dir.resolve(c.classFilePath());
      try {
        for (var f : c.classFiles().entrySet()) {
          Path file = dir.resolve(GeneratedClass.classFilePath(f.getKey()));
          Files.createDirectories(file.getParent());
          Files.write(file, f.getValue());
        }
      } catch (IOException e) {
        err.println("gradc: cannot write " + target + ": " + CheckCommand.reason(e));
        status = 1;
        continue;
      }
      out.println(
          "compiled "
              + path
              + " -> "
              + target
              + " ("
              + c.binaryName()
              + ", "
              + c.bytes().length
              + " bytes, "
              + c.kernels().size()
              + " kernels"
              + (c.nestmates().isEmpty()
                  ? ""
                  : "; with "
                      + c.nestmates().size()
                      + " vector kernel classes, "
                      + nestmateBytes(c)
                      + " bytes")
              + ")");
    }
    out.flush();
    err.flush();
    return status;
  }

  private static long nestmateBytes(GeneratedClass c) {
    return c.nestmates().values().stream().mapToLong(b -> b.length).sum();
  }
}
