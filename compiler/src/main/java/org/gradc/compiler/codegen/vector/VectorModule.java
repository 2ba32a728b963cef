package org.gradc.compiler.codegen.vector;

import java.util.Optional;
import org.gradc.runtime.VectorWidth;

/**
 * Whether this JVM can run Vector API code, and the vector size it prefers. {@code
 * jdk.incubator.vector} is an incubator module: it is only in the boot layer when the JVM was
 * started with {@code --add-modules jdk.incubator.vector}. Without it generated code must not
 * reference the API, so the code generator falls back to the scalar back end and says once, on
 * standard error, how to enable the fast one.
 */
public final class VectorModule {
  public static final String NAME = VectorWidth.MODULE;

  /** The hint printed (once) when the module is absent. */
  public static final String HINT = VectorWidth.HINT;

  private static final int PREFERRED_BITS = preferredBits();

  private VectorModule() {}

  /** True when {@code jdk.incubator.vector} is in the boot layer. */
  public static boolean available() {
    return VectorWidth.available();
  }

  /**
   * The preferred vector size of this machine in bits (what {@code VectorShape.preferredShape()}
   * says), or 0 when the module is absent.
   */
  public static int preferredBits() {
    return VectorWidth.preferredBits();
  }

  /**
   * The lanes of the preferred species for {@code float} (or {@code double} when {@code f64}), or
   * empty when Vector API code cannot run here (module absent, or vectors narrower than 128 bits).
   * Prints {@link #HINT} once per JVM when the module is absent.
   */
  public static Optional<Integer> lanes(boolean f64) {
    if (!available()) {
      VectorWidth.hintOnce();
      return Optional.empty();
    }
    int bits = PREFERRED_BITS;
    if (bits < 128) {
      return Optional.empty();
    }
    return Optional.of(bits / (f64 ? 64 : 32));
  }
}
