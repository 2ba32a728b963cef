package org.gradc.compiler.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gradc.compiler.ir.ops.Concat;
import org.gradc.compiler.ir.ops.Reshape;
import org.gradc.compiler.ir.ops.Slice;
import org.gradc.compiler.ir.ops.Transpose;

/**
 * The valid range of each int input of a graph: the smallest {@link IndexingOp#idBound} over every
 * op that reads the input's values as ids, directly or through ops that only move elements (slices,
 * reshapes, transposes, concats: {@code x[:, t]} feeding an embedding).
 */
public final class IdBounds {
  private IdBounds() {}

  /** The bound of {@code input}'s values: ids lie in {@code [0, bound)}; 0 when unbounded. */
  public static int of(Graph g, Node input) {
    Map<Node, List<Node>> users = new HashMap<>();
    for (Node n : g.nodes()) {
      for (Node in : n.inputs()) {
        users.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
      }
    }
    int bound = 0;
    Deque<Node> work = new ArrayDeque<>(List.of(input));
    Set<Node> seen = new HashSet<>(work);
    while (!work.isEmpty()) {
      Node v = work.pop();
      for (Node user : users.getOrDefault(v, List.of())) {
        if (user.op() instanceof IndexingOp op) {
          for (int k = 0; k < user.inputs().size(); k++) {
            int b = user.input(k) == v ? op.idBound(user, k) : 0;
            if (b > 0) {
              bound = bound == 0 ? b : Math.min(bound, b);
            }
          }
        } else if (movesElements(user.op()) && seen.add(user)) {
          work.push(user);
        }
      }
    }
    return bound;
  }

  private static boolean movesElements(Op op) {
    return op instanceof Slice
        || op instanceof Reshape
        || op instanceof Transpose
        || op instanceof Concat;
  }
}
