package org.gradc.compiler.codegen;

/** Which back end generates the kernels. */
public enum BackendKind {
  /**
   * The Vector API back end when this JVM has {@code jdk.incubator.vector}, else the scalar one.
   */
  AUTO,
  /** Plain loops of JVM arithmetic, shaped for C2's auto-vectorizer; needs nothing. */
  SCALAR,
  /** Vector API kernels; the generated class then needs {@code jdk.incubator.vector}. */
  VECTOR;

  Backend create() {
    return switch (this) {
      case AUTO -> VectorBackend.forThisJvm();
      case SCALAR -> new ScalarBackend();
      case VECTOR -> {
        Backend b = VectorBackend.forThisJvm();
        if (!(b instanceof VectorBackend)) {
          throw new IllegalStateException(
              "the vector back end needs the jdk.incubator.vector module: run java with"
                  + " --add-modules jdk.incubator.vector");
        }
        yield b;
      }
    };
  }
}
