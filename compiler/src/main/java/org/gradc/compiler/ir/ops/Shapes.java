package org.gradc.compiler.ir.ops;

import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;

/** Shapes written in the language as int lists, where a leading -1 stands for batch. */
final class Shapes {
  private Shapes() {}

  static Shape fromList(String op, int[] dims) throws ShapeError {
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0 && !(i == 0 && dims[i] == Shape.BATCH)) {
        throw new ShapeError(
            "E0306",
            op + ": bad extent " + dims[i] + " at axis " + i,
            "extents are positive; only the first may be -1, meaning batch");
      }
    }
    return Shape.of(dims);
  }
}
