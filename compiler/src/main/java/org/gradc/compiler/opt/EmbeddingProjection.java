package org.gradc.compiler.opt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.RandomOp;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.ops.BatchSize;
import org.gradc.compiler.ir.ops.Embedding;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.compiler.ir.ops.Input;
import org.gradc.compiler.ir.ops.MatMul;

/**
 * The embedding-projection table: rewrites {@code embedding(E, ids) @ op(W)} into {@code
 * embedding(E @ op(W), ids)} in the training-mode roles of a forward graph, before autodiff.
 *
 * <p><b>The identity.</b> Row {@code i} of {@code embedding(E, ids) @ W} is {@code E[ids[i], :] @
 * W}, which is row {@code ids[i]} of {@code E @ W}: the two are equal term by term (each output
 * element sums the same {@code D} products in the same order), so the rewrite changes no value, not
 * even by rounding. With {@code E [V, D]} and {@code W [D, N]}, the per-row form costs {@code
 * rows·D·N} multiply-adds for {@code rows} looked-up ids, the table {@code V·D·N} once, whatever
 * the number of lookups: every use of the same {@code (E, W)} (an unrolled loop's steps) shares one
 * table by hash-consing. Autodiff then derives the cheap backward pass by itself: the table's
 * cotangent is the scatter-add of the steps' cotangents into {@code [V, N]} ({@link DotMerger}
 * merges the steps' scatter-adds into one), {@code ∂E = δ(EW) @ Wᵀ} and {@code ∂W = Eᵀ @ δ(EW)},
 * {@code V·D·N} each instead of {@code rows·D·N}.
 *
 * <p><b>When.</b> {@code E} and {@code W} must not depend on the batch (parameters, constants and
 * values computed from them only: no input, batch size or random mask among their ancestors), or
 * the table would not be one value per step; {@code W} is 2-D; the product has no {@code
 * transposeA} (then the embedding would be the contracted operand, with no such identity); a {@code
 * transposeB} carries over to the table, {@code E @ Wᵀ}. The embedding may only be the left
 * operand. The table pays when the rows looked up exceed {@code V}, but the batch is known only at
 * run time. The rule: rewrite when {@code 32 · (ids per example over all uses of (E, W)) + (ids of
 * unbatched uses) ≥ V}, 32 standing for a small training batch (an LSTM language model over bytes:
 * 16 steps · 32 = 512 ≥ 256).
 *
 * <p><b>Training roles only.</b> Only the training-mode roles (the loss, the training-mode outputs,
 * the state updates, and so the gradients autodiff derives from the loss) get the table; the
 * evaluation-mode roles (the outputs, the evaluation loss) keep the per-row form, and are recorded
 * as such ({@link Graph#evalLoss()} becomes the old loss). Inference often runs one example at a
 * time ({@code gradc sample}, {@code predict}), where the table would cost {@code V / rows} times
 * the per-row lookups (16 times for the byte model). The graph holds both forms; each entry point
 * computes one: a training entry the training roles, an evaluation entry ({@code runForward},
 * {@code runEvaluate}) the evaluation roles, and an inference-only class compiles {@link
 * Graph#evaluationOnly()}. The price is code size: the forward pass exists in both forms.
 */
public final class EmbeddingProjection implements Pass {
  /** The batch the cost rule assumes by default: a small training batch. */
  public static final int ASSUMED_BATCH = 32;

  private final int assumedBatch;

  /** The rewrite with the cost rule at {@link #ASSUMED_BATCH}. */
  public EmbeddingProjection() {
    this(ASSUMED_BATCH);
  }

  /**
   * The rewrite with the cost rule at batch {@code assumedBatch} (tests apply it to models too
   * small for the default: a rule at batch {@code V} rewrites every eligible product).
   */
  public EmbeddingProjection(int assumedBatch) {
    if (assumedBatch < 1) {
      throw new IllegalArgumentException("assumed batch must be positive: " + assumedBatch);
    }
    this.assumedBatch = assumedBatch;
  }

  @Override
  public String name() {
    return "embedding-projection";
  }

  @Override
  public Graph run(Graph g) {
    if (g.loss() == null) {
      return g;
    }
    Map<Node, Boolean> fixed = batchFree(g);
    // the candidate products, and the rows each (E, W, transposeB) looks up at the assumed batch
    Map<List<Object>, Long> rows = new LinkedHashMap<>();
    List<Node> candidates = new ArrayList<>();
    for (Node n : g.nodes()) {
      if (candidate(n, fixed)) {
        candidates.add(n);
        Node ids = n.input(0).input(1);
        rows.merge(key(n), ids.shape().size(assumedBatch), Long::sum);
      }
    }
    Set<Node> chosen = new HashSet<>();
    for (Node n : candidates) {
      if (rows.get(key(n)) >= n.input(0).input(0).shape().dim(0)) {
        chosen.add(n);
      }
    }
    if (chosen.isEmpty()) {
      return g;
    }
    return rewriteTraining(g, chosen);
  }

  /** {@code (E, W, transposeB)}: the products that share one table. */
  private static List<Object> key(Node mm) {
    return List.of(mm.input(0).input(0), mm.input(1), ((MatMul) mm.op()).transposeB());
  }

  private static boolean candidate(Node n, Map<Node, Boolean> fixed) {
    if (!(n.op() instanceof MatMul mm) || mm.transposeA()) {
      return false;
    }
    Node emb = n.input(0);
    Node w = n.input(1);
    return emb.op() instanceof Embedding
        && emb.shape().rank() == 2
        && w.shape().rank() == 2
        && fixed.get(emb.input(0))
        && fixed.get(w);
  }

  /** Whether each node's value is the same for every example and batch size. */
  private static Map<Node, Boolean> batchFree(Graph g) {
    Map<Node, Boolean> free = new HashMap<>();
    for (Node n : g.nodes()) {
      boolean f =
          !(n.op() instanceof Input)
              && !(n.op() instanceof BatchSize)
              && !(n.op() instanceof RandomOp)
              && !n.shape().isBatched();
      for (Node in : n.inputs()) {
        f &= free.get(in);
      }
      free.put(n, f);
    }
    return free;
  }

  /**
   * {@code g} with a training-mode copy of everything that depends on a chosen product, the chosen
   * products replaced by table lookups there; the evaluation-mode roles keep the old nodes.
   * Hash-consing makes the copy of a node that reads no rewritten value the node itself.
   */
  private static Graph rewriteTraining(Graph g, Set<Node> chosen) {
    Graph.Builder b = g.toBuilder();
    Node evalLoss = g.evalLoss();
    Map<String, Node> evalOutputs = new LinkedHashMap<>(g.outputs());
    Map<Node, Node> training = new HashMap<>();
    List<Node> nodes = g.nodes();
    try {
      for (Node n : nodes) {
        Node m;
        if (chosen.contains(n)) {
          Emit e = Emit.at(b, n);
          MatMul mm = (MatMul) n.op();
          Node emb = n.input(0);
          Node table =
              e.matmul(
                  training.get(emb.input(0)), training.get(n.input(1)), false, mm.transposeB());
          m = e.embedding(table, training.get(emb.input(1)));
        } else {
          List<Node> inputs = new ArrayList<>(n.inputs().size());
          boolean same = true;
          for (Node in : n.inputs()) {
            Node t = training.get(in);
            inputs.add(t);
            same &= t == in;
          }
          m = same ? n : b.node(n.op(), inputs, n.span());
        }
        training.put(n, m);
      }
    } catch (ShapeError e) {
      throw new IllegalStateException("the embedding-projection rewrite broke a shape rule", e);
    }
    b.loss(training.get(g.loss()));
    if (training.get(g.loss()) != evalLoss) {
      b.evalLoss(evalLoss);
    }
    for (Map.Entry<String, Node> out : g.trainingOutputs().entrySet()) {
      b.trainingOutput(out.getKey(), training.get(out.getValue()));
    }
    evalOutputs.forEach(b::output);
    for (Map.Entry<String, Node> u : g.updates().entrySet()) {
      b.update(u.getKey(), training.get(u.getValue()));
    }
    return b.build();
  }
}
