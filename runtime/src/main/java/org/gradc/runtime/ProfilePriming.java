package org.gradc.runtime;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many times the static initializer of a class with Vector API kernels runs its priming (every
 * lanewise operation once, on zero vectors): {@link #FIRST_ROUNDS} times for the first such class
 * of a vector species in this JVM, once for every later one. Generated code calls {@link #rounds};
 * it names no Vector API type, so the runtime still loads without {@code jdk.incubator.vector}.
 *
 * <p>Why many rounds, once: a few tiny methods of the Vector API that every lanewise call inlines
 * ({@code VectorOperators.opCode} and {@code opKind}, which cast the operator to its implementation
 * class, and {@code VectorPayload.getPayload}) are also compiled by C2 on their own while the first
 * training steps run the kernels in the interpreter; there the operator is not a constant, and C2
 * speculates on the one implementation class the profile of the cast has seen so far. The first
 * operator of another class then traps ({@code class_check}), four times before the code is
 * replaced, and those traps stay in the method's profile. C2 adds a method's trap count to a
 * compilation each time it inlines it, and a convolution kernel inlines {@code opCode} 28 times: 4
 * × 28 passes the limit of 100 ({@code PerMethodTrapLimit}), after which the kernel's later Vector
 * API calls are compiled without type speculation, as calls of the allocating Java fallback
 * (FashionCnn: 10 ms a step instead of 5.5 on the runs where the traps came before the kernels'
 * compilation; docs/performance.md). Run a couple of thousand times before any kernel, the priming
 * calls those methods with every operator class while they are profiled, so their profiles show
 * many classes and C2 never speculates, and never traps, there. Once per JVM and species is enough:
 * profiles are per method, shared by every class that calls it.
 */
public final class ProfilePriming {
  /**
   * Rounds of the first priming of a species: enough that C1 has compiled the Vector API's operator
   * methods with profiling (after a few hundred calls) and they have then seen every operator
   * class; about 0.1 s of CPU, once per JVM. The system property {@code gradc.primingRounds}
   * overrides it, for measurements only ({@code 1}: the priming before this fix, to reproduce the
   * slow runs).
   */
  public static final int FIRST_ROUNDS =
      Math.max(1, Integer.getInteger("gradc.primingRounds", 2000));

  private static final Set<String> PRIMED = ConcurrentHashMap.newKeySet();

  private ProfilePriming() {}

  /**
   * {@link #FIRST_ROUNDS} the first time this JVM asks for {@code species} (such as {@code "float
   * x16"}), 1 afterwards.
   */
  public static int rounds(String species) {
    return PRIMED.add(species) ? FIRST_ROUNDS : 1;
  }
}
