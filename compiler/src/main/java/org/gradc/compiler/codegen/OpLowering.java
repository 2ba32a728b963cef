package org.gradc.compiler.codegen;

import java.util.List;
import java.util.function.Predicate;
import org.gradc.compiler.ir.Node;

/**
 * An op's code-generation rule: how the scheduler treats its nodes and what code computes them.
 * Every op class has exactly one, registered by one line in {@link OpLowerings} (elementwise ops
 * need none: their {@link org.gradc.compiler.ir.Scalar} formula is the rule). There are three
 * kinds, and the scheduler switches over them, never over op classes:
 *
 * <ul>
 *   <li>{@link Leaf}: the value lives in its own buffer field (inputs, parameters, constants);
 *   <li>{@link Element}: the value at an index is a formula of input values at some indices
 *       (elementwise arithmetic, views, one-hot); it is recomputed where it is read, or computed as
 *       a member of a fused pointwise loop;
 *   <li>{@link Root}: the value needs a loop nest of its own (matmul, reductions, concat, and
 *       structural ops such as convolutions); elementwise consumers fuse in as its epilogue.
 * </ul>
 */
sealed interface OpLowering {

  /** How a node reads the values it depends on, at given indices; supplied by the scheduler. */
  interface Reads {
    /** The value of {@code n} at {@code idx}: from its buffer, or recomputed in place. */
    Fx read(Node n, List<Ix> idx);

    /** The int value of {@code n} (an int tensor that lives in a buffer) at {@code idx}. */
    Ix readInt(Node n, List<Ix> idx);

    /** The local holding {@code n}'s value at the current index in a fused loop, or null. */
    Fx local(Node n);

    /** Whether {@code n} lives in a buffer (rather than being recomputed where read). */
    boolean stored(Node n);

    /** The buffer field holding {@code n}; only for {@link #stored} nodes. */
    String buffer(Node n);
  }

  /** Inputs, parameters and constants: their values are in their own fields. */
  record Leaf() implements OpLowering {}

  /**
   * A node whose value at an index is a formula of its inputs' values: no loop of its own.
   * Implementations are stateless.
   */
  non-sealed interface Element extends OpLowering {

    /** The value of {@code n} at {@code idx} (axis variables or constants, one per axis). */
    Fx at(Node n, List<Ix> idx, Reads r);

    /**
     * Whether this is arithmetic ({@code false}: inlined only into the one consumer that reads it,
     * so values are not recomputed per use) or a view of its input ({@code true}: an index
     * permutation, inlined wherever read).
     */
    boolean view();

    /**
     * Whether node {@code n} reads its input's buffer flat (a reshape that moves elements between
     * axes): the input must then be stored.
     */
    default boolean readsInputFlat(Node n) {
      return false;
    }

    /** Whether its value is the same at every index (the batch size): hoisted by C2. */
    default boolean uniform() {
      return false;
    }
  }

  /**
   * A node computed by a loop nest of its own, in its own kernel; elementwise nodes of the same
   * shape reading it fuse in after it (the epilogue).
   */
  non-sealed interface Root extends OpLowering {

    /** The group kind dumps name: {@code matmul}, {@code reduce}, {@code concat}. */
    String kind();

    /**
     * Whether the epilogue runs inside this op's loop, with the result at the current index in the
     * local {@code acc} (a matmul: its output need not be stored unless read elsewhere). Otherwise
     * the result is stored first and the epilogue is a pointwise loop after it.
     */
    default boolean fusesEpilogue() {
      return false;
    }

    /**
     * Whether an elementwise operand read only by this op is recomputed inside its loops instead of
     * being stored ({@code sum(exp(x - m))} is one loop).
     */
    default boolean inlinesOperands() {
      return true;
    }

    /**
     * Whether the kernel reads {@code operand} (an input of {@code n}) row-major from its buffer,
     * so a view there (a transpose) is better stored once, where every reader shares it, than laid
     * out into a scratch buffer by each reader.
     */
    default boolean readsStored(Node n, Node operand) {
      return false;
    }

    /** Scratch buffers the kernel needs, given which nodes are stored; see {@link Context}. */
    default List<Scratch> scratch(Node n, Predicate<Node> stored) {
      return List.of();
    }

    /**
     * The kernels computing {@code n} into {@link Context#out()}. When {@link #fusesEpilogue()},
     * {@code epilogue} is to be run at every output index {@code (a0, a1, …)} with the value in
     * local {@code acc}; otherwise it is empty.
     */
    List<Kernel> kernels(Node n, Context c, List<LoopStmt> epilogue);

    /**
     * A scratch buffer of a root's kernel.
     *
     * @param rowSize elements per batch row when {@code batched}, else the total size
     */
    record Scratch(boolean batched, int rowSize) {}

    /** What a root's kernel may use besides {@link Reads}. */
    interface Context extends Reads {
      /** The buffer the result goes to. */
      String out();

      /** The buffer of {@link #scratch} request {@code i}. */
      String scratch(int i);

      /** The note for dumps ({@code mlp.grad:12 x @ W1: …}). */
      String note();

      /**
       * Whether input number {@code input} of {@code n} (a concat) is already in {@link #out()},
       * stored there by the kernel that computed it ({@link FusionPlan.ConcatSlot}).
       */
      default boolean writtenInPlace(Node n, int input) {
        return false;
      }
    }
  }
}
