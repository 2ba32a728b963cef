package org.gradc.compiler.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gradc.compiler.Compilation;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.GraphViews;
import org.gradc.compiler.opt.Pipeline;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gradc graph FILE [--backward] [--optimized] [--format text|dot]}: prints a model's forward
 * graph, or with {@code --backward} the joint forward and backward graph, optionally optimized.
 * Node counts go to stdout after the text form, and to stderr with {@code --format dot} so that
 * stdout stays valid DOT ({@code gradc graph m.grad --backward --format dot | dot -Tsvg > m.svg}).
 * Exit status 0, 1 on a bad model or unreadable file, 2 on bad usage.
 */
@Command(
    name = "graph",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a model's graph: forward, or with --backward forward and backward together.",
      "In DOT, forward nodes and edges are black, gradient nodes and edges red."
    })
final class GraphCommand implements Callable<Integer> {

  /** Output formats. */
  enum Format {
    text,
    dot
  }

  @Parameters(paramLabel = "FILE", description = "the .grad model")
  Path file;

  @Option(names = "--backward", description = "differentiate: the joint forward+backward graph")
  boolean backward;

  @Option(names = "--optimized", description = "run the optimizer passes first")
  boolean optimized;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "text (default) or dot",
      defaultValue = "text")
  Format format;

  @Option(names = "--f64", description = "build the graph in double precision")
  boolean f64;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        err.println("gradc: cannot read " + file + ": no such file");
        return 1;
      } catch (IOException | java.io.UncheckedIOException e) {
        err.println("gradc: cannot read " + file + ": " + e.getMessage());
        return 1;
      }
      Compilation c =
          Compilation.of(
              new SourceFile(file.toString(), text),
              Gradc.Options.defaults().withPrecision(f64 ? Precision.F64 : Precision.F32));
      Graph g;
      String counts;
      try {
        if (optimized) {
          Pipeline.Result r = backward ? c.optimized() : Pipeline.standard().run(c.forward());
          g = r.graph();
          counts = r.summary();
        } else {
          g = backward ? c.differentiated() : c.forward();
          counts = "nodes: " + g.nodes().size();
        }
      } catch (CompileException e) {
        err.print(e.render());
        long n = e.errorCount();
        err.println(file + ": " + n + (n == 1 ? " error" : " errors"));
        return 1;
      }
      if (format == Format.dot) {
        out.print(GraphViews.dot(g));
        err.println(counts);
      } else {
        out.print(GraphViews.text(g));
        out.println(counts);
      }
      return 0;
    } finally {
      out.flush();
      err.flush();
    }
  }
}
