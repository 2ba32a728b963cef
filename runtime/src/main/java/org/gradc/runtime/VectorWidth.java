package org.gradc.runtime;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The vector width the running JVM prefers, found without linking against {@code
 * jdk.incubator.vector}: the runtime must load, and scalar kernels must run, on a JVM started
 * without that incubator module.
 *
 * <p>A class compiled ahead of time with the vector back end carries kernels for several widths
 * (scalar, 128-, 256- and 512-bit vectors, each blocked for its register file) and calls {@link
 * #choose} once, when it is initialized, to pick the set this JVM runs fast: the Vector API runs a
 * species wider than the preferred one in slow Java code, and a narrower one leaves part of the
 * vector unit unused.
 */
public final class VectorWidth {
  /** The incubator module's name. */
  public static final String MODULE = "jdk.incubator.vector";

  /**
   * Overrides the choice: {@code -Dgradc.vectorBits=0} runs the scalar kernels, {@code 256} the
   * 256-bit ones (when the class has them; otherwise the widest it has below).
   */
  public static final String PROPERTY = "gradc.vectorBits";

  /** The hint printed (once per JVM) when vector kernels are present but the module is absent. */
  public static final String HINT =
      "gradc: the Vector API is not enabled, so kernels use the scalar back end (slower);"
          + " run java with --add-modules "
          + MODULE
          + " to enable it";

  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private VectorWidth() {}

  /** True when {@code jdk.incubator.vector} is in the boot layer. */
  public static boolean available() {
    return ModuleLayer.boot().findModule(MODULE).isPresent();
  }

  /**
   * The preferred vector size of this JVM in bits ({@code VectorShape.preferredShape()}, which
   * follows the CPU and {@code -XX:MaxVectorSize}), or 0 when the module is absent.
   */
  public static int preferredBits() {
    if (!available()) {
      return 0;
    }
    try {
      Class<?> shape = Class.forName(MODULE + ".VectorShape");
      Object preferred = shape.getMethod("preferredShape").invoke(null);
      Method bits = shape.getMethod("vectorBitSize");
      return (Integer) bits.invoke(preferred);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return 0;
    }
  }

  /** Prints {@link #HINT} on standard error, once per JVM. */
  public static void hintOnce() {
    if (WARNED.compareAndSet(false, true)) {
      System.err.println(HINT);
    }
  }

  /**
   * The kernels {@code model} should run: the widest of {@code widths} (in bits) that is at most
   * {@link #preferredBits()}, or 0 (its scalar kernels) when none is, or when the module is absent
   * (then {@link #HINT} is printed once) or {@code model}'s module does not read it (a named module
   * without {@code requires static jdk.incubator.vector}; said once too). {@value #PROPERTY}
   * replaces the preferred width when set.
   */
  public static int choose(Class<?> model, int... widths) {
    if (!available()) {
      if (forced() != 0) {
        hintOnce();
      }
      return 0;
    }
    Module vector = ModuleLayer.boot().findModule(MODULE).orElseThrow();
    if (!model.getModule().canRead(vector)) {
      if (WARNED.compareAndSet(false, true)) {
        System.err.println(
            "gradc: "
                + model.getModule().getName()
                + " does not read "
                + MODULE
                + ", so "
                + model.getName()
                + " uses its scalar kernels (slower); add 'requires static "
                + MODULE
                + ";' to its module-info.java");
      }
      return 0;
    }
    String p = System.getProperty(PROPERTY);
    return pick(widths, p == null ? preferredBits() : forced());
  }

  /** The bits {@value #PROPERTY} asks for; -1 (no limit) when it is not set. */
  private static int forced() {
    String p = System.getProperty(PROPERTY);
    if (p == null) {
      return -1;
    }
    try {
      return Integer.parseInt(p.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "-D" + PROPERTY + " must be a number of bits (0, 128, 256, 512), but is " + p, e);
    }
  }

  /** The widest of {@code widths} at most {@code limit}, or 0. */
  static int pick(int[] widths, int limit) {
    int best = 0;
    for (int w : widths) {
      if (w <= limit && w > best) {
        best = w;
      }
    }
    return best;
  }
}
