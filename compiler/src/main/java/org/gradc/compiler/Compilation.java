package org.gradc.compiler;

import java.util.List;
import org.gradc.compiler.autodiff.Autodiff;
import org.gradc.compiler.codegen.CodegenOptions;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.ModelCompiler;
import org.gradc.compiler.codegen.TrainingGraph;
import org.gradc.compiler.codegen.UnsupportedOpException;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.opt.EmbeddingProjection;
import org.gradc.compiler.opt.Pipeline;
import org.gradc.compiler.syntax.CheckedModel;
import org.gradc.compiler.syntax.FrontEnd;

/**
 * One compilation of one model, in stages: check → differentiate (after the pre-autodiff rewrite,
 * {@link EmbeddingProjection}) → optimize → schedule and emit. Each stage runs once, when first
 * asked for (the later ones ask for the earlier), and its result stays available, so {@code gradc
 * graph} can print the joint graph, {@code gradc dump} the class, and the Maven plugin the
 * warnings, all from one parse. Every tool that compiles a model goes through here ({@link Gradc},
 * the CLI, the Maven plugin, the benchmarks), so all of them compile the graph users get.
 *
 * <pre>{@code
 * Compilation c = Compilation.of(file, Gradc.Options.defaults());
 * c.warnings();            // the front end's warnings
 * c.optimized().graph();   // the graph the code generator compiles
 * c.generate().bytes();    // the class file
 * }</pre>
 *
 * Not thread-safe.
 */
public final class Compilation {
  private final SourceFile file;
  private final Gradc.Options options;
  private CheckedModel checked;
  private Graph differentiated;
  private Pipeline.Result optimized;
  private GeneratedClass generated;

  private Compilation(SourceFile file, Gradc.Options options) {
    this.file = file;
    this.options = options;
  }

  /**
   * A compilation of {@code file} with {@code options}; nothing runs until a stage is asked for.
   */
  public static Compilation of(SourceFile file, Gradc.Options options) {
    if (file == null || options == null) {
      throw new IllegalArgumentException("file and options must not be null");
    }
    return new Compilation(file, options);
  }

  public SourceFile file() {
    return file;
  }

  public Gradc.Options options() {
    return options;
  }

  /** Stage 1, the front end: the checked forward graph, initializers, optimizer and warnings. */
  public CheckedModel checked() throws CompileException {
    if (checked == null) {
      checked = FrontEnd.check(file, options.precision().ir());
    }
    return checked;
  }

  /** The front end's warnings (empty when there are none). */
  public List<Diagnostic> warnings() throws CompileException {
    return checked().warnings();
  }

  /** The forward graph, as the front end built it. */
  public Graph forward() throws CompileException {
    return checked().graph();
  }

  /**
   * Stage 2: the joint forward and backward graph (reverse mode), or the forward graph of a model
   * without a loss; for an inference-only compilation, the evaluation-mode graph alone. Before
   * autodiff, {@link EmbeddingProjection} gives the training-mode roles an embedding's projection
   * as one table ({@code embedding(E, ids) @ W} as {@code embedding(E @ W, ids)}), so the backward
   * pass autodiff derives is the table's.
   */
  public Graph differentiated() throws CompileException {
    if (differentiated == null) {
      Graph g = forward();
      if (options.inference()) {
        // an inference-only class: the evaluation-mode graph, nothing to differentiate
        differentiated = g.evaluationOnly();
      } else {
        // rewrites that change what autodiff derives run on the forward graph first
        differentiated =
            g.loss() != null ? Autodiff.differentiate(new EmbeddingProjection().run(g)) : g;
      }
    }
    return differentiated;
  }

  /** Stage 3: the joint graph after the standard passes, with node counts. */
  public Pipeline.Result optimized() throws CompileException {
    if (optimized == null) {
      optimized = Pipeline.standard().run(differentiated());
    }
    return optimized;
  }

  /** What the code generator compiles: the optimized graph, initializers and optimizer. */
  public TrainingGraph trainingGraph() throws CompileException {
    CheckedModel m = checked();
    return new TrainingGraph(
        optimized().graph(), m.inits(), m.optimizer().kind(), m.optimizer().values());
  }

  /**
   * Stage 4: schedule and emit the class. A node whose op the code generator has no rule for is
   * reported as a located error (E0701).
   */
  public GeneratedClass generate() throws CompileException {
    if (generated == null) {
      try {
        generated =
            ModelCompiler.generate(
                trainingGraph(),
                new CodegenOptions(
                    options.precision(),
                    options.packageName(),
                    options.fma(),
                    fileName(file.name()),
                    options.backend(),
                    options.inference()));
      } catch (UnsupportedOpException e) {
        throw new CompileException(List.of(e.diagnostic()));
      }
    }
    return generated;
  }

  private static String fileName(String path) {
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    return path.substring(slash + 1);
  }
}
