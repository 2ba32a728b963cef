package org.gradc.compiler;

import java.nio.file.Path;

/** The example models of {@code examples/}, which tests read in place (one copy of each). */
public final class Examples {
  private Examples() {}

  /** The Fashion-MNIST MLP the README and docs/language.md quote. */
  public static final Path FASHION_MLP =
      Path.of(
          "..", "examples", "src", "main", "grad", "org", "gradc", "examples", "FashionMlp.grad");

  /** The Fashion-MNIST CNN (two conv + max-pool stages, two dense layers). */
  public static final Path FASHION_CNN =
      Path.of(
          "..", "examples", "src", "main", "grad", "org", "gradc", "examples", "FashionCnn.grad");
}
