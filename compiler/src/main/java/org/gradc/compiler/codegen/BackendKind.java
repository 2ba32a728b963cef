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
  VECTOR,
  /**
   * For class files that run on other machines (the Maven plugin, {@code gradc compile}): scalar
   * kernels in the model class plus Vector API kernels for 128-, 256- and 512-bit vectors, each
   * blocked for its register file, in nestmate classes; the class runs the set matching the JVM
   * that loads it ({@code org.gradc.runtime.VectorWidth#choose}), the scalar one when that JVM
   * lacks {@code jdk.incubator.vector}. Writing them needs no vector module. Not for hidden classes
   * (their nestmates cannot be found by name): {@link ModelCompiler} refuses.
   */
  PORTABLE;

  /** The vector widths, in bits, a {@link #PORTABLE} class carries kernels for. */
  static final int[] PORTABLE_BITS = {128, 256, 512};

  Backend create() {
    return switch (this) {
      case AUTO -> VectorBackend.forThisJvm();
      case SCALAR, PORTABLE -> new ScalarBackend();
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
