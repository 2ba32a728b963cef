package org.gradc.compiler.ir;

/**
 * An op whose values come from the counter-based generator, keyed by the model's seed, the step, a
 * per-call {@link #key()} and the element's global index: its {@link Op#evaluate} uses the key
 * {@link #DEFAULT}; {@link Evaluator} passes the one it is given.
 */
public interface RandomOp extends Op {
  /** The per-call key: part of the op's identity, so two calls never hash-cons into one node. */
  int key();

  /** The values for the given generator key. */
  double[] evaluate(Node out, int batch, Key key);

  /**
   * The generator's run-time key: the model's seed, its step count, and the row of the whole batch
   * the evaluated rows start at (a data-parallel shard's offset).
   */
  record Key(long seed, long step, long rowOffset) {}

  /** Seed 0, step 0, no offset. */
  Key DEFAULT = new Key(0, 0, 0);
}
