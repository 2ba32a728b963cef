package org.gradc.compiler.ir;

/**
 * An op whose result at every index is a {@link Scalar} formula of its inputs at that index, after
 * NumPy broadcasting to the result's shape. The code generator needs nothing else to emit, and to
 * fuse, such an op.
 */
public interface Elementwise extends Op {

  /** The per-element formula, in terms of {@link Scalar.Arg}s numbered like the inputs. */
  Scalar scalar();
}
