package org.gradc.compiler.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.gradc.compiler.Compilation;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.syntax.CheckedModel;
import org.gradc.compiler.syntax.Numbers;
import org.gradc.runtime.Init;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gradc check FILE...}: runs the front end on each file and prints its errors, or a summary
 * of the model (inputs, parameters with shapes and sizes, each binding's shape, outputs, loss,
 * optimizer). Exit status 0 when every file checks, 1 when any has an error or cannot be read, 2 on
 * bad usage.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Checks .grad models: prints every error, or a summary of each model.",
      "Exit status: 0 all models check, 1 a model has errors or a file cannot be read, 2 bad usage."
    })
final class CheckCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "the .grad files to check")
  List<Path> files;

  @Option(names = "--f64", description = "check in double precision (float is f32 otherwise)")
  boolean f64;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int status = 0;
    boolean first = true;
    for (Path path : files) {
      String text;
      try {
        text = read(path);
      } catch (IOException e) {
        err.println("gradc: cannot read " + path + ": " + reason(e));
        status = 1;
        continue;
      }
      try {
        CheckedModel model =
            Compilation.of(
                    new SourceFile(path.toString(), text),
                    Gradc.Options.defaults().withPrecision(f64 ? Precision.F64 : Precision.F32))
                .checked();
        for (Diagnostic w : model.warnings()) {
          err.print(w.render());
        }
        if (!first) {
          out.println();
        }
        first = false;
        out.print(summary(path, model));
      } catch (CompileException e) {
        err.print(e.render());
        long n = e.errorCount();
        err.println(path + ": " + n + (n == 1 ? " error" : " errors"));
        status = 1;
      }
    }
    out.flush();
    err.flush();
    return status;
  }

  static String read(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      throw new IOException("is a directory");
    }
    byte[] bytes = Files.readAllBytes(path);
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new IOException("not UTF-8 text");
    }
  }

  static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** The per-model summary: a small aligned table per role. */
  static String summary(Path path, CheckedModel m) {
    StringBuilder s = new StringBuilder();
    s.append("model ").append(m.name()).append("  (").append(path).append(")\n");
    s.append("  inputs\n");
    table(s, m.graph().inputs(), null);
    s.append("  params\n");
    table(s, m.graph().params(), m);
    s.append("  total parameters: ").append(String.format("%,d", m.parameterCount())).append('\n');
    if (!m.values().isEmpty()) {
      s.append("  values\n");
      table(s, m.values(), null);
    }
    s.append("  outputs\n");
    if (m.graph().outputs().isEmpty()) {
      s.append("    (none)\n");
    }
    table(s, m.graph().outputs(), null);
    s.append("  loss: ").append(m.graph().loss().type()).append('\n');
    s.append("  optimizer: ").append(optimizer(m.optimizer())).append('\n');
    return s.toString();
  }

  private static void table(StringBuilder s, Map<String, Node> named, CheckedModel params) {
    int nameWidth = 0;
    int typeWidth = 0;
    for (Map.Entry<String, Node> e : named.entrySet()) {
      nameWidth = Math.max(nameWidth, e.getKey().length());
      typeWidth = Math.max(typeWidth, e.getValue().type().toString().length());
    }
    for (Map.Entry<String, Node> e : named.entrySet()) {
      String type = e.getValue().type().toString();
      s.append("    ").append(pad(e.getKey(), nameWidth)).append("  ");
      if (params == null) {
        s.append(type).append('\n');
        continue;
      }
      s.append(pad(type, typeWidth))
          .append(String.format("  %,12d", e.getValue().shape().size(1)))
          .append("  ")
          .append(init(params.inits().get(e.getKey())))
          .append('\n');
    }
  }

  private static String optimizer(CheckedModel.Optimizer o) {
    StringBuilder s = new StringBuilder(o.kind().displayName()).append('(');
    double[] v = o.values();
    for (int i = 0; i < v.length; i++) {
      s.append(i > 0 ? ", " : "")
          .append(o.kind().hyperParameters().get(i).name())
          .append(" = ")
          .append(format(v[i]));
    }
    return s.append(')').toString();
  }

  private static String format(double v) {
    return Numbers.format(v);
  }

  private static String init(Init init) {
    StringBuilder s = new StringBuilder(init.initializer().displayName());
    if (!init.args().isEmpty()) {
      s.append('(');
      for (int i = 0; i < init.args().size(); i++) {
        s.append(i > 0 ? ", " : "").append(format(init.args().get(i)));
      }
      s.append(')');
    }
    return s.toString();
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }
}
