package org.gradc.compiler.ir;

/**
 * An op that uses the values of an int input as positions along an axis of known extent (labels of
 * a one-hot encoding, rows of an embedding table). The ids must lie in {@code [0, bound)}: the
 * compiler records the bound of each int input of a model ({@link IdBounds}) so the runtime can
 * reject a bad id when it is fed, before generated code indexes with it.
 */
public interface IndexingOp extends Op {

  /**
   * The number of valid ids for input {@code input} of {@code node} (a node of this op), or 0 when
   * that input is not used as ids.
   */
  int idBound(Node node, int input);
}
