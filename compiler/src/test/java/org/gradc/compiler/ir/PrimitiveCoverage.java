package org.gradc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;

/**
 * Coverage by test, not by memory: every test suite that must cover every primitive lists the
 * primitives its properties exercise and calls {@link #assertCovers}, which fails, naming the
 * missing ones, as soon as {@link Primitives#all()} holds a primitive the suite does not cover. A
 * new primitive so fails the build until it has a gradient property and a differential property.
 */
public final class PrimitiveCoverage {
  private PrimitiveCoverage() {}

  /**
   * Fails unless {@code covered} names every registered primitive, and only registered ones.
   *
   * @param suite what the suite checks, for the message ("a gradient property")
   */
  public static void assertCovers(String suite, Set<String> covered) {
    Set<String> missing = new TreeSet<>();
    Set<String> registered = new TreeSet<>();
    for (Primitive p : Primitives.all()) {
      registered.add(p.name());
      if (!covered.contains(p.name())) {
        missing.add(p.name());
      }
    }
    assertTrue(
        missing.isEmpty(),
        "these primitives have no " + suite + " (add one and list the primitive): " + missing);
    Set<String> stale = new TreeSet<>(covered);
    stale.removeAll(registered);
    assertTrue(stale.isEmpty(), "listed as covered but not registered: " + stale);
  }
}
