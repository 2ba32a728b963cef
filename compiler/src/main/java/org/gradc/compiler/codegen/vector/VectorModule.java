package org.gradc.compiler.codegen.vector;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether this JVM can run Vector API code, and the vector size it prefers. {@code
 * jdk.incubator.vector} is an incubator module: it is only in the boot layer when the JVM was
 * started with {@code --add-modules jdk.incubator.vector}. Without it generated code must not
 * reference the API, so the code generator falls back to the scalar back end and says once, on
 * standard error, how to enable the fast one.
 */
public final class VectorModule {
  public static final String NAME = "jdk.incubator.vector";

  /** The hint printed (once) when the module is absent. */
  public static final String HINT =
      "gradc: the Vector API is not enabled, so kernels use the scalar back end (slower);"
          + " run java with --add-modules "
          + NAME
          + " to enable it";

  private static final AtomicBoolean WARNED = new AtomicBoolean();
  private static final int PREFERRED_BITS = preferredBits();

  private VectorModule() {}

  /** True when {@code jdk.incubator.vector} is in the boot layer. */
  public static boolean available() {
    return ModuleLayer.boot().findModule(NAME).isPresent();
  }

  /**
   * The preferred vector size of this machine in bits (what {@code VectorShape.preferredShape()}
   * says), or 0 when the module is absent.
   */
  public static int preferredBits() {
    if (!available()) {
      return 0;
    }
    try {
      Class<?> shape = Class.forName(NAME + ".VectorShape");
      Object preferred = shape.getMethod("preferredShape").invoke(null);
      Method bits = shape.getMethod("vectorBitSize");
      return (Integer) bits.invoke(preferred);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * The lanes of the preferred species for {@code float} (or {@code double} when {@code f64}), or
   * empty when Vector API code cannot run here (module absent, or vectors narrower than 128 bits).
   * Prints {@link #HINT} once per JVM when the module is absent.
   */
  public static Optional<Integer> lanes(boolean f64) {
    if (!available()) {
      if (WARNED.compareAndSet(false, true)) {
        System.err.println(HINT);
      }
      return Optional.empty();
    }
    int bits = PREFERRED_BITS;
    if (bits < 128) {
      return Optional.empty();
    }
    return Optional.of(bits / (f64 ? 64 : 32));
  }
}
