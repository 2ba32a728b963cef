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
   * The kernels a class should run: the widest of {@code widths} (in bits, ascending or not) that
   * is at most {@link #preferredBits()}, or 0 (the scalar kernels) when none is. {@value #PROPERTY}
   * replaces the preferred width when set. Prints {@link #HINT} once when the module is absent.
   */
  public static int choose(int... widths) {
    int limit;
    String forced = System.getProperty(PROPERTY);
    if (forced != null) {
      try {
        limit = Integer.parseInt(forced.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "-D" + PROPERTY + " must be a number of bits (0, 128, 256, 512), but is " + forced, e);
      }
      if (limit > 0 && !available()) {
        hintOnce();
        return 0;
      }
    } else {
      if (!available()) {
        hintOnce();
        return 0;
      }
      limit = preferredBits();
    }
    return pick(widths, limit);
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
