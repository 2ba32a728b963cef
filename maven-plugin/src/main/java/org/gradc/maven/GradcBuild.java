package org.gradc.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;

/**
 * One run of the plugin over one source root, free of Maven types so that it can be tested
 * directly: scans the models, recompiles those whose source, dependencies, options, outputs or
 * compiler changed, removes the classes of deleted models, reports every error of every file, and
 * records what it did in the state file.
 */
final class GradcBuild {

  /**
   * What a run did.
   *
   * @param errors compile errors over all files, plus files that could not be compiled at all
   * @param failedFiles how many files had at least one error
   */
  record Result(
      int models,
      int compiled,
      int upToDate,
      int removed,
      int written,
      int errors,
      int failedFiles) {
    boolean failed() {
      return errors > 0;
    }
  }

  private final SourceCompiler compiler;
  private final SourceScanner scanner;
  private final Path sourceRoot;
  private final Path outputDirectory;
  private final Path stateFile;
  private final Precision precision;
  private final BuildLog log;

  GradcBuild(
      SourceCompiler compiler,
      SourceScanner scanner,
      Path sourceRoot,
      Path outputDirectory,
      Path stateFile,
      Precision precision,
      BuildLog log) {
    this.compiler = compiler;
    this.scanner = scanner;
    this.sourceRoot = sourceRoot;
    this.outputDirectory = outputDirectory;
    this.stateFile = stateFile;
    this.precision = precision;
    this.log = log;
  }

  Result run() throws IOException {
    BuildState state = BuildState.load(stateFile, compiler.fingerprint());
    List<Path> files = scanner.scan(sourceRoot);
    int errors = 0;
    int failedFiles = 0;

    // Pass 1: decide what is up to date, and which class file belongs to which model.
    Map<String, String> owners = new HashMap<>();
    List<ModelSource> stale = new ArrayList<>();
    Map<String, String> sourceHashes = new HashMap<>();
    List<String> present = new ArrayList<>();
    int upToDate = 0;
    for (Path file : files) {
      ModelSource source;
      try {
        source = scanner.source(sourceRoot, file);
      } catch (IllegalArgumentException e) {
        log.error(file + ": error: " + e.getMessage());
        errors++;
        failedFiles++;
        continue;
      }
      present.add(source.relativePath());
      String hash = Hashes.of(file);
      sourceHashes.put(source.relativePath(), hash);
      BuildState.Entry entry = state.get(source.relativePath());
      if (entry != null && entry.upToDate(hash, options(source), outputDirectory)) {
        upToDate++;
        entry.outputs().keySet().forEach(out -> owners.put(out, source.relativePath()));
        log.debug("gradc: " + source.relativePath() + " is up to date");
      } else {
        stale.add(source);
      }
    }

    int removed = removeDeleted(state, present);

    // Pass 2: compile what changed; one failing file does not hide the others' errors.
    int compiled = 0;
    int written = 0;
    for (ModelSource source : stale) {
      String rel = source.relativePath();
      SourceCompiler.Compiled result;
      try {
        result = compiler.compile(source, precision);
      } catch (CompileException e) {
        report(e.diagnostics());
        errors += (int) Math.max(1, e.errorCount());
        failedFiles++;
        state.remove(rel);
        continue;
      } catch (IOException e) {
        log.error(source.file() + ": error: cannot read: " + e.getMessage());
        errors++;
        failedFiles++;
        state.remove(rel);
        continue;
      } catch (RuntimeException e) {
        // A bug in the compiler, not in the model: one clear line, the trace for -X, and the
        // other models still compiled.
        log.error(
            source.file()
                + ": error: internal compiler error ("
                + e
                + "); please report it with this model");
        log.debug(stackTrace(e));
        errors++;
        failedFiles++;
        state.remove(rel);
        continue;
      }
      report(result.warnings());
      String clash = claim(owners, rel, result);
      if (clash != null) {
        log.error(source.file() + ": error: " + clash);
        errors++;
        failedFiles++;
        state.remove(rel);
        continue;
      }
      TreeMap<String, String> outputs = new TreeMap<>();
      for (Map.Entry<String, byte[]> c : result.classes().entrySet()) {
        String out = classFile(c.getKey());
        if (writeIfChanged(outputDirectory.resolve(out), c.getValue())) {
          written++;
        }
        outputs.put(out, Hashes.of(c.getValue()));
      }
      BuildState.Entry old = state.get(rel);
      if (old != null) {
        for (Map.Entry<String, String> out : old.outputs().entrySet()) {
          if (!outputs.containsKey(out.getKey())) {
            deleteIfOurs(out.getKey(), out.getValue());
          }
        }
      }
      TreeMap<String, String> deps = new TreeMap<>();
      for (Path dep : result.dependencies()) {
        Path abs = dep.toAbsolutePath().normalize();
        deps.put(abs.toString(), Hashes.of(abs));
      }
      state.put(rel, new BuildState.Entry(sourceHashes.get(rel), options(source), deps, outputs));
      compiled++;
    }

    state.save(stateFile);
    Result r = new Result(files.size(), compiled, upToDate, removed, written, errors, failedFiles);
    summarize(r);
    return r;
  }

  private String options(ModelSource source) {
    return "precision=" + precision.label() + ";package=" + source.packageName();
  }

  /** Records the model's class files as its own; returns a message if another model has one. */
  private static String claim(
      Map<String, String> owners, String model, SourceCompiler.Compiled result) {
    for (String name : result.classes().keySet()) {
      String other = owners.get(classFile(name));
      if (other != null && !other.equals(model)) {
        return "class " + name + " is also produced by " + other + "; rename one of the models";
      }
    }
    for (String name : result.classes().keySet()) {
      owners.put(classFile(name), model);
    }
    return null;
  }

  /** Forgets models whose file is gone, and deletes the classes they produced. */
  private int removeDeleted(BuildState state, List<String> present) throws IOException {
    int removed = 0;
    for (String model : state.models()) {
      if (!present.contains(model)) {
        for (Map.Entry<String, String> out : state.get(model).outputs().entrySet()) {
          deleteIfOurs(out.getKey(), out.getValue());
        }
        state.remove(model);
        log.info("gradc: " + model + " was deleted; removed its classes");
        removed++;
      }
    }
    return removed;
  }

  /** Deletes a class file we wrote, unless something else has overwritten it since. */
  private void deleteIfOurs(String out, String hash) throws IOException {
    Path file = outputDirectory.resolve(out);
    if (hash.equals(Hashes.ofOrNull(file))) {
      Files.delete(file);
    }
  }

  /** Writes {@code bytes} unless the file already holds them, keeping its time stamp then. */
  private static boolean writeIfChanged(Path file, byte[] bytes) throws IOException {
    if (Files.isRegularFile(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
      return false;
    }
    BuildState.writeAtomically(file, bytes);
    return true;
  }

  static String classFile(String binaryName) {
    return binaryName.replace('.', '/') + ".class";
  }

  private void report(List<Diagnostic> diagnostics) {
    for (Diagnostic d : diagnostics) {
      for (String line : d.render().split("\n", -1)) {
        if (line.isEmpty()) {
          continue;
        }
        if (d.isError()) {
          log.error(line);
        } else {
          log.warn(line);
        }
      }
    }
  }

  private void summarize(Result r) {
    if (r.models() == 0) {
      log.info("gradc: no models in " + sourceRoot);
    } else if (r.compiled() == 0 && r.failedFiles() == 0) {
      log.info("gradc: " + plural(r.models(), "model") + " up to date");
    } else if (r.compiled() == 0) {
      log.info(
          "gradc: "
              + plural(r.failedFiles(), "model")
              + " failed to compile ("
              + r.upToDate()
              + " up to date)");
    } else {
      log.info(
          "gradc: compiled "
              + plural(r.compiled(), "model")
              + " to "
              + outputDirectory
              + " ("
              + r.upToDate()
              + " up to date"
              + (r.failedFiles() > 0 ? ", " + r.failedFiles() + " failed" : "")
              + ")");
    }
  }

  private static String stackTrace(Throwable e) {
    java.io.StringWriter out = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }

  static String plural(int n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }
}
