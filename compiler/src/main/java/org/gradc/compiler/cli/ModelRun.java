package org.gradc.compiler.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.BackendKind;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.DType;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.gradc.runtime.data.DataException;
import org.gradc.runtime.data.DataSource;
import org.gradc.runtime.io.CheckpointException;
import org.gradc.runtime.train.TrainingException;
import picocli.CommandLine.Option;

/**
 * What {@code train}, {@code eval}, {@code predict} and {@code gradcheck} share (a picocli mixin):
 * the model options, compiling the model in memory, opening {@code --data}, and turning every user
 * error into one line on stderr with exit status 1 (the stack trace only with {@code --verbose}).
 */
final class ModelRun {
  @Option(
      names = "--precision",
      paramLabel = "f32|f64",
      converter = PrecisionOption.class,
      description = "float precision of the generated code (default: f32; gradcheck: f64)")
  Precision precision;

  @Option(
      names = "--backend",
      paramLabel = "auto|scalar|vector",
      defaultValue = "auto",
      converter = BackendOption.class,
      description = "the kernel back end (default: ${DEFAULT-VALUE})")
  BackendKind backend;

  @Option(names = "--verbose", description = "print stack traces of errors")
  boolean verbose;

  /** A command body; user errors escape as the exceptions {@link #guard} knows. */
  interface Body {
    int run() throws Exception;
  }

  /** A user error found by a command itself. */
  static final class UserError extends RuntimeException {
    UserError(String message) {
      super(message);
    }
  }

  int guard(PrintWriter err, Body body) {
    try {
      return body.run();
    } catch (CompileException e) {
      err.print(e.render());
      err.flush();
      return 1;
    } catch (DataException
        | CheckpointException
        | TrainingException
        | UserError
        | IllegalArgumentException
        | UnsupportedOperationException
        | UncheckedIOException e) {
      err.println("gradc: " + e.getMessage());
      if (verbose) {
        e.printStackTrace(err);
      }
      err.flush();
      return 1;
    } catch (IOException e) {
      err.println("gradc: " + CheckCommand.reason(e));
      if (verbose) {
        e.printStackTrace(err);
      }
      err.flush();
      return 1;
    } catch (Exception e) {
      err.println("gradc: internal error: " + e);
      e.printStackTrace(err);
      err.flush();
      return 1;
    }
  }

  Model compile(Path file, Precision fallback) throws IOException, CompileException {
    String text;
    try {
      text = CheckCommand.read(file);
    } catch (IOException e) {
      throw new IOException("cannot read " + file + ": " + CheckCommand.reason(e), e);
    }
    Gradc.Options options =
        Gradc.Options.defaults()
            .withPrecision(precision != null ? precision : fallback)
            .withBackend(backend);
    return Gradc.compile(new SourceFile(file.toString(), text), options);
  }

  /** SHA-256 of the model file, for checkpoint provenance. */
  static String sourceHash(Path file) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
      return HexFormat.of().formatHex(d);
    } catch (IOException | NoSuchAlgorithmException e) {
      return null;
    }
  }

  /**
   * Opens {@code --data}; synthetic spirals get as many arms as the model has classes unless the
   * spec says otherwise.
   */
  static DataSource data(String spec, Model model) {
    if (spec.startsWith("synthetic:spirals") && !spec.contains("classes=")) {
      int classes = labelClasses(model);
      if (classes > 2) {
        spec += (spec.contains("?") ? "&" : "?") + "classes=" + classes;
      }
    }
    return DataSource.open(spec);
  }

  static int labelClasses(Model model) {
    for (TensorSpec t : model.spec().ofKind(TensorKind.INPUT)) {
      if (t.dtype() == DType.I32 && t.classes() > 0) {
        return t.classes();
      }
    }
    return 0;
  }

  static void requireLoss(Model model, String what) {
    if (model.spec().ofKind(TensorKind.GRADIENT).isEmpty()) {
      throw new UserError(
          "model " + model.spec().modelName() + " has no loss (or no parameters), so " + what);
    }
  }

  /** A print stream onto picocli's writer, for the trainer's progress output. */
  static PrintStream stream(PrintWriter w) {
    OutputStream os =
        new OutputStream() {
          @Override
          public void write(int b) {
            w.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            w.write(new String(b, off, len, StandardCharsets.UTF_8));
          }

          @Override
          public void flush() {
            w.flush();
          }
        };
    return new PrintStream(os, true, StandardCharsets.UTF_8);
  }
}
