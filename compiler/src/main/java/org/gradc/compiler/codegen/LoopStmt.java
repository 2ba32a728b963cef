package org.gradc.compiler.codegen;

import java.util.List;

/**
 * A statement of loop-level code. A kernel is a list of these; {@link LoopEmitter} turns them into
 * bytecode and {@link LoopPrinter} into the pseudo-Java that {@code gradc dump} shows. Array names
 * are buffer fields of the model: the emitter hoists each one into a local once per method.
 */
sealed interface LoopStmt {

  /**
   * {@code for (int var = lo; var < hi; var += step) body}: a counted int loop, the shape C2
   * recognizes (and vectorizes when the body is contiguous in {@code var}).
   *
   * @param note where the loop came from (a source line), shown as a comment in dumps
   */
  record For(String var, Ix lo, Ix hi, int step, List<LoopStmt> body, String note)
      implements LoopStmt {
    public For {
      body = List.copyOf(body);
    }
  }

  /** {@code array[index] = value}. */
  record Store(String array, Ix index, Fx value) implements LoopStmt {}

  /** {@code float name = value} (a local of the kernel's precision). */
  record Let(String name, Fx value) implements LoopStmt {}

  /** {@code int name = value}. */
  record LetInt(String name, Ix value) implements LoopStmt {}

  /** A comment in dumps; emits nothing. */
  record Comment(String text) implements LoopStmt {}
}
