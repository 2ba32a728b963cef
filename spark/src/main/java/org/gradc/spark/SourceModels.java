package org.gradc.spark;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.BackendKind;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;

/**
 * Compiles {@link ModelSource.FromSource} models, once per JVM and source: later requests copy the
 * compiled prototype. Only this class touches the compiler, so ahead-of-time models never load it.
 */
final class SourceModels {
  private static final ConcurrentMap<ModelSource.FromSource, Model> PROTOTYPES =
      new ConcurrentHashMap<>();

  private SourceModels() {}

  /** The JVM's compiled instance of {@code source}; callers {@link Model#copy() copy} it. */
  static Model prototype(ModelSource.FromSource source) {
    return PROTOTYPES.computeIfAbsent(source, SourceModels::compile);
  }

  private static Model compile(ModelSource.FromSource s) {
    Gradc.Options options =
        Gradc.Options.defaults()
            .withPrecision(Precision.valueOf(s.precision().toUpperCase(Locale.ROOT)))
            .withBackend(BackendKind.valueOf(s.backend().toUpperCase(Locale.ROOT)))
            .withFma(s.fma());
    try {
      return Gradc.compile(new SourceFile("<spark model source>", s.source()), options);
    } catch (CompileException e) {
      throw new IllegalArgumentException("the model source does not compile: " + e.getMessage(), e);
    }
  }
}
