package org.gradc.compiler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gradc.compiler.codegen.BackendKind;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.HiddenClasses;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.codegen.TrainingGraph;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;

/**
 * The compiler's public API: a {@code .grad} model in, a trainable {@link Model} (in memory) or a
 * class file (ahead of time) out. Both come from one generator, and the same source and options
 * always give the same bytes.
 *
 * <pre>{@code
 * Model m = Gradc.compile(Path.of("FashionMlp.grad"));            // ready to train, in memory
 * GeneratedClass c = Gradc.generate(file, Gradc.Options.defaults().withPackage("org.acme"));
 * Files.write(outDir.resolve(c.classFilePath()), c.bytes());        // what the Maven plugin does
 * }</pre>
 */
public final class Gradc {
  private Gradc() {}

  /**
   * How to compile.
   *
   * @param precision {@code F32} (the default) or {@code F64} for every float value
   * @param packageName the package of an ahead-of-time class ({@code ""} for none); in-memory
   *     classes always live in {@link HiddenClasses#PACKAGE}
   * @param backend which back end writes the kernels ({@link BackendKind#AUTO} by default)
   * @param fma whether multiply-adds use {@code Math.fma} (faster when vectorized; one rounding)
   */
  public record Options(
      Precision precision,
      String packageName,
      BackendKind backend,
      boolean fma,
      boolean inference) {
    /** Options for a training class (with every entry point). */
    public Options(Precision precision, String packageName, BackendKind backend, boolean fma) {
      this(precision, packageName, backend, fma, false);
    }

    public Options {
      if (precision == null || packageName == null || backend == null) {
        throw new IllegalArgumentException("options must not be null");
      }
      if (!packageName.isEmpty()
          && !packageName.matches("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*")) {
        throw new IllegalArgumentException("not a Java package name: '" + packageName + "'");
      }
    }

    public static Options defaults() {
      return new Options(Precision.F32, "", BackendKind.AUTO, true);
    }

    public Options withPrecision(Precision p) {
      return new Options(p, packageName, backend, fma, inference);
    }

    public Options withPackage(String name) {
      return new Options(precision, name, backend, fma, inference);
    }

    public Options withBackend(BackendKind b) {
      return new Options(precision, packageName, b, fma, inference);
    }

    /**
     * An inference-only class: the evaluation entry points alone (forward, evaluate), no gradients,
     * optimizer state or training code; it loads a training checkpoint's parameters and states.
     */
    public Options withInference(boolean on) {
      return new Options(precision, packageName, backend, fma, on);
    }

    public Options withFma(boolean on) {
      return new Options(precision, packageName, backend, on, inference);
    }
  }

  /** Compiles a model file in memory with the default options. */
  public static Model compile(Path file) throws IOException, CompileException {
    return compile(file, Options.defaults());
  }

  public static Model compile(Path file, Options options) throws IOException, CompileException {
    return compile(read(file), options);
  }

  /** Compiles model source text in memory with the default options. */
  public static Model compile(String source) throws CompileException {
    return compile(new SourceFile("<source>", source), Options.defaults());
  }

  /** Compiles in memory: the class is defined as a hidden class and instantiated. */
  public static Model compile(SourceFile file, Options options) throws CompileException {
    return HiddenClasses.instantiate(generate(file, options.withPackage(HiddenClasses.PACKAGE)));
  }

  /** The class file of a model, for ahead-of-time use: its binary name and bytes. */
  public static GeneratedClass generate(SourceFile file, Options options) throws CompileException {
    return Compilation.of(file, options).generate();
  }

  /**
   * Everything before code generation: the checked model, differentiated when it has a loss, and
   * optimized (the stages of a {@link Compilation}).
   */
  public static TrainingGraph trainingGraph(SourceFile file, Precision precision)
      throws CompileException {
    return Compilation.of(file, Options.defaults().withPrecision(precision)).trainingGraph();
  }

  /** Reads a model file. */
  public static SourceFile read(Path file) throws IOException {
    return new SourceFile(file.toString(), Files.readString(file));
  }
}
