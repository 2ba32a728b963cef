package org.gradc.compiler.codegen;

/**
 * How the kernels of an unrolled loop's steps become methods: the one place this is decided.
 *
 * <p>An unrolled sequence model has, for every step, kernels that differ only in which buffers they
 * read and write (step t's activations live in buffers of their own, kept for the backward pass).
 * {@link #UNROLLED} writes each of them as a method of its own, so the class and the JIT's work
 * grow with T. {@link #SHARED} writes kernels whose bytecode is identical up to the buffer fields
 * they name as one method taking those buffers as arguments, which every step's call passes in
 * ({@link SharedKernels}); the class is then nearly constant in T. Results are bitwise the same:
 * the shared method is the same instructions over the same arrays.
 *
 * <p>The default is {@link #SHARED} (docs/performance.md has the measurements); the system property
 * {@code gradc.steps=unrolled} selects the other form for a whole JVM, for comparing the two with
 * the benchmark mains.
 */
public enum StepForm {
  /** Every kernel a method of its own. */
  UNROLLED,
  /** Kernels identical up to their buffers share one method taking the buffers as arguments. */
  SHARED;

  /** {@link #SHARED}, unless the system property {@code gradc.steps} names another form. */
  public static StepForm defaultForm() {
    String p = System.getProperty("gradc.steps");
    return p == null ? SHARED : valueOf(p.trim().toUpperCase(java.util.Locale.ROOT));
  }
}
