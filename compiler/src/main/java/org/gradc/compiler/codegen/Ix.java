package org.gradc.compiler.codegen;

/**
 * An int expression of loop-level code: loop variables, the run-time batch size {@code n},
 * constants and their affine combinations, and loads from {@code int[]} buffers (labels). The
 * factories fold constants, so index arithmetic the scheduler builds stays as small as the bytecode
 * it becomes.
 */
sealed interface Ix {

  record Lit(int value) implements Ix {}

  /** An int local: a loop variable or a hoisted offset. */
  record Var(String name) implements Ix {}

  /** The batch size, the kernel method's only argument. */
  record N() implements Ix {}

  record Add(Ix a, Ix b) implements Ix {}

  record Mul(Ix a, int factor) implements Ix {}

  /** {@code a} rounded down to a multiple of {@code multiple}: {@code a / multiple * multiple}. */
  record Floor(Ix a, int multiple) implements Ix {}

  /**
   * {@code min(max(a / divisor, lo), hi)} with Java's truncating division: the first or last tap of
   * a sliding window that falls inside the image, so a window's loop bounds are clipped per output
   * position instead of testing every tap (convolutions and pooling with padding).
   */
  record Clamp(Ix a, int divisor, int lo, int hi) implements Ix {}

  /** {@code array[index]} from an {@code int[]} buffer. */
  record Load(String array, Ix index) implements Ix {}

  Ix N = new N();
  Ix ZERO = new Lit(0);

  static Ix lit(int v) {
    return new Lit(v);
  }

  static Ix var(String name) {
    return new Var(name);
  }

  static Ix add(Ix a, Ix b) {
    if (a instanceof Lit x && x.value() == 0) {
      return b;
    }
    if (b instanceof Lit y && y.value() == 0) {
      return a;
    }
    if (a instanceof Lit x && b instanceof Lit y) {
      return new Lit(x.value() + y.value());
    }
    if (a instanceof Lit) {
      return add(b, a);
    }
    // keep constants to the right and together: (v + 3) + 4 -> v + 7
    if (b instanceof Lit y && a instanceof Add s && s.b() instanceof Lit z) {
      return add(s.a(), new Lit(y.value() + z.value()));
    }
    return new Add(a, b);
  }

  static Ix add(Ix a, int b) {
    return add(a, new Lit(b));
  }

  static Ix mul(Ix a, int factor) {
    if (factor == 0) {
      return ZERO;
    }
    if (factor == 1) {
      return a;
    }
    if (a instanceof Lit x) {
      return new Lit(x.value() * factor);
    }
    if (a instanceof Mul m) {
      return mul(m.a(), m.factor() * factor);
    }
    return new Mul(a, factor);
  }

  static Ix floor(Ix a, int multiple) {
    if (multiple == 1) {
      return a;
    }
    if (a instanceof Lit x) {
      return new Lit(x.value() / multiple * multiple);
    }
    return new Floor(a, multiple);
  }

  static Ix clamp(Ix a, int divisor, int lo, int hi) {
    if (a instanceof Lit x) {
      return new Lit(Math.min(Math.max(x.value() / divisor, lo), hi));
    }
    return new Clamp(a, divisor, lo, hi);
  }

  /** True when the value cannot change inside any loop (a constant or {@code n}). */
  default boolean isInvariant() {
    if (this instanceof Lit || this instanceof N) {
      return true;
    }
    if (this instanceof Add s) {
      return s.a().isInvariant() && s.b().isInvariant();
    }
    if (this instanceof Mul m) {
      return m.a().isInvariant();
    }
    if (this instanceof Floor f) {
      return f.a().isInvariant();
    }
    if (this instanceof Clamp c) {
      return c.a().isInvariant();
    }
    return false;
  }
}
