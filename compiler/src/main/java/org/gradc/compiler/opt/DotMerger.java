package org.gradc.compiler.opt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Add;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.compiler.ir.ops.MatMul;
import org.gradc.compiler.ir.ops.Reshape;
import org.gradc.compiler.ir.ops.ScatterAdd;
import org.gradc.compiler.ir.ops.Slice;
import org.gradc.compiler.ir.ops.Sum;

/**
 * Merges matrix products that an unrolled loop repeats per step into one product over stacked rows
 * (XLA's DotMerger), so each runs as one large product instead of many thin ones:
 *
 * <ul>
 *   <li><b>Rows</b>: products {@code a_t @ op(B)} sharing {@code B} (and its flag), with 2-D {@code
 *       a_t} of one type, become {@code R = stack(a_t, axis = 1) @ op(B)} ({@code [m, T, n]}, a
 *       {@link MatMul} over stacked rows), and each {@code a_t @ op(B)} the view {@code R[:, t]}.
 *       In a recurrent model: the input projections {@code e_t @ Wx}, the output projections {@code
 *       h_t @ Wo}, and in the backward pass {@code δo_t @ Woᵀ} and {@code δz_t @ Wxᵀ}.
 *   <li><b>Sums</b>: products {@code a_tᵀ g_t} of one shape summed by one tree of {@code add}s (how
 *       autodiff accumulates a weight's gradient, {@code ∂L/∂W = Σ_t a_tᵀ δz_t}) become one product
 *       {@code stack(a_t, 1)ᵀ stack(g_t, 1)} contracting over {@code batch·T} rows; the other terms
 *       of the tree are replaced by zeros, which {@link Simplify} removes.
 *   <li><b>Reductions</b>: in the same trees, sums {@code sum(x_t, axes)} of one operand type and
 *       the same axes (how autodiff accumulates a bias's gradient, {@code ∂L/∂b = Σ_t sum(δz_t,
 *       axes = [0])}) become one sum over the stacked operands: {@code sum(stack(x_t, 1), axes =
 *       [0, 1])} when the batch axis 0 is summed (the stack is then the one of the same operands
 *       the weight gradients contract, written in place), else {@code sum(stack(x_t, 0), axes = [0,
 *       …])}.
 *   <li><b>Scatter-adds</b>: in the same trees, {@code scatter_add(x[:, t], g_t, V)} of one {@code
 *       V} and operand types (how autodiff accumulates an embedding table's gradient over the
 *       steps, {@code ∂E = Σ_t scatter_add(x[:, t], δe_t, V)}, or {@code δ(EW)} after {@link
 *       EmbeddingProjection}) become one {@code scatter_add(x[:, t0 .. t1], stack(g_t, 1), V)}: the
 *       table is zeroed once instead of once per step. The ids must be consecutive columns of one
 *       int tensor, whose stack is then a view of it (int tensors are never concatenated); the
 *       stacked cotangents are the stack the weight gradients and bias reductions read (all stack
 *       in step order), written in place.
 * </ul>
 *
 * Only products needed by the same kinds of role (outputs, loss, gradients, …: what each entry
 * point computes) merge, and of those only the ones no other member depends on and that depend on
 * no other member (a member with a path from or to another member stays, so the recurrence {@code
 * h_t @ Wh} is never merged): the merged product then needs only values computed before every
 * member, and the graph is rebuilt with those first. Each group is checked by two traversals of the
 * graph, so the pass is linear in the graph per group, never in the square of the steps. The rows
 * of a merge compute exactly the same sums; a merged sum adds the same terms in another order (row
 * by row of the stacked operands instead of step by step), so it agrees up to float rounding; so
 * does a merged reduction (each output element adds the rows of all steps in turn, instead of each
 * step's rows and then the steps' sums) and a merged scatter-add (each table row adds the rows
 * whose id picks it example by example across the steps, instead of step by step and then the
 * steps' tables).
 */
public final class DotMerger implements Pass {

  @Override
  public String name() {
    return "dot-merge";
  }

  @Override
  public Graph run(Graph g) {
    Graph current = g;
    while (true) {
      Analysis an = new Analysis(current);
      Group chosen = null;
      for (Group group : an.groups()) {
        List<Node> free = an.independent(group.members());
        if (free.size() >= 2
            && (group.kind() != Kind.SCATTER
                || columns(free.stream().map(m -> m.input(0)).toList()) != null)) {
          chosen = new Group(group.kind(), free);
          break;
        }
      }
      if (chosen == null) {
        return current;
      }
      current = merge(current, an, chosen);
    }
  }

  /** How the members of a group are merged. */
  enum Kind {
    ROWS,
    SUM,
    REDUCE,
    SCATTER
  }

  /** Products that may be merged, in graph order. */
  record Group(Kind kind, List<Node> members) {}

  /** A graph's use lists and the groups of mergeable products. */
  static final class Analysis {
    final Graph graph;
    final Map<Node, List<Node>> users = new HashMap<>();
    private final Map<Node, Integer> position = new HashMap<>();

    /** The bits of {@link #roles} that a forward pass computes: outputs and losses. */
    private static final int FORWARD_ROLES = 0b1111;

    /** Which kinds of role need each node (bit per kind; see {@link #roles}). */
    final Map<Node, Integer> needs = new HashMap<>();

    /** The nodes that are a role themselves: a use no user list shows. */
    private final Set<Node> roleNodes = new HashSet<>();

    Analysis(Graph graph) {
      this.graph = graph;
      for (Node n : graph.nodes()) {
        for (Node in : n.inputs()) {
          users.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
      }
      List<List<Node>> roles = roles(graph);
      roles.forEach(roleNodes::addAll);
      for (int bit = 0; bit < roles.size(); bit++) {
        for (Node n : ancestors(roles.get(bit))) {
          needs.merge(n, 1 << bit, (x, y) -> x | y);
        }
      }
    }

    /**
     * The graph's roles by kind: an entry point computes some kinds only (a forward pass the
     * outputs, not the gradients), so products needed by different kinds are not merged, or the
     * merged product would make an entry compute what it does not need.
     */
    private static List<List<Node>> roles(Graph g) {
      List<List<Node>> r = new ArrayList<>();
      r.add(List.copyOf(g.outputs().values()));
      r.add(List.copyOf(g.trainingOutputs().values()));
      r.add(g.loss() == null ? List.of() : List.of(g.loss()));
      r.add(g.evalLoss() == null ? List.of() : List.of(g.evalLoss()));
      r.add(List.copyOf(g.gradients().values()));
      r.add(List.copyOf(g.states().values()));
      r.add(List.copyOf(g.updates().values()));
      return r;
    }

    List<Node> usersOf(Node n) {
      return users.getOrDefault(n, List.of());
    }

    /** Candidate groups (at least two members each), in the graph order of their first member. */
    List<Group> groups() {
      Map<List<Object>, List<Node>> rows = new LinkedHashMap<>();
      for (Node n : graph.nodes()) {
        if (n.op() instanceof MatMul mm && !mm.transposeA() && is2d(n)) {
          rows.computeIfAbsent(
                  List.of(n.input(1), mm.transposeB(), n.input(0).type(), needs.getOrDefault(n, 0)),
                  k -> new ArrayList<>())
              .add(n);
        }
      }
      List<Group> out = new ArrayList<>();
      for (List<Node> members : rows.values()) {
        if (members.size() >= 2) {
          out.add(new Group(Kind.ROWS, byOperand(members, 0)));
        }
      }
      for (Node root : graph.nodes()) {
        if (root.op() instanceof Add && !interior(root)) {
          out.addAll(sumGroups(root));
        }
      }
      return out;
    }

    private static boolean is2d(Node mm) {
      return mm.input(0).shape().rank() == 2 && mm.input(1).shape().rank() == 2;
    }

    /**
     * An add whose only use is an add of the same type: part of a larger sum (an add that is also a
     * role, an output say, is a sum of its own, whose value a merge must not change).
     */
    private boolean interior(Node add) {
      List<Node> u = usersOf(add);
      return u.size() == 1
          && !roleNodes.contains(add)
          && u.get(0).op() instanceof Add
          && u.get(0).type().equals(add.type());
    }

    /** A leaf of a sum used by that sum only (not by another node, nor as a role). */
    private boolean usedOnce(Node leaf) {
      return usersOf(leaf).size() == 1 && !roleNodes.contains(leaf);
    }

    /**
     * The products {@code aᵀ g} summed by the tree of adds under {@code root} and used nowhere
     * else, grouped by operand types.
     */
    private List<Group> sumGroups(Node root) {
      List<Node> leaves = new ArrayList<>();
      Deque<Node> work = new ArrayDeque<>();
      work.push(root);
      while (!work.isEmpty()) {
        Node n = work.pop();
        for (Node in : n.inputs()) {
          if (in.op() instanceof Add && in.type().equals(n.type()) && interior(in)) {
            work.push(in);
          } else {
            leaves.add(in);
          }
        }
      }
      Map<List<TensorType>, List<Node>> byType = new LinkedHashMap<>();
      Map<List<Object>, List<Node>> reductions = new LinkedHashMap<>();
      Map<List<Object>, List<Node>> scatters = new LinkedHashMap<>();
      Set<Node> seen = new HashSet<>();
      Set<Node> twice = new HashSet<>();
      for (Node leaf : leaves) {
        if (!seen.add(leaf)) {
          twice.add(leaf);
        }
      }
      for (Node leaf : leaves) {
        if (leaf.op() instanceof MatMul mm
            && mm.transposeA()
            && !mm.transposeB()
            && is2d(leaf)
            && leaf.type().equals(root.type())
            && !twice.contains(leaf)
            && usedOnce(leaf)) {
          byType
              .computeIfAbsent(
                  List.of(leaf.input(0).type(), leaf.input(1).type()), k -> new ArrayList<>())
              .add(leaf);
        } else if (leaf.op() instanceof Sum sum
            && !sum.keepdims()
            && leaf.input(0).shape().rank() >= 1
            && leaf.type().equals(root.type())
            && !twice.contains(leaf)
            && usedOnce(leaf)) {
          reductions
              .computeIfAbsent(List.of(leaf.input(0).type(), sum.axes()), k -> new ArrayList<>())
              .add(leaf);
        } else if (leaf.op() instanceof ScatterAdd sa
            && leaf.input(0).shape().rank() >= 1
            && leaf.type().equals(root.type())
            && !twice.contains(leaf)
            && usedOnce(leaf)) {
          scatters
              .computeIfAbsent(
                  List.of(sa.rows(), leaf.input(0).type(), leaf.input(1).type()),
                  k -> new ArrayList<>())
              .add(leaf);
        }
      }
      List<Group> out = new ArrayList<>();
      for (List<Node> members : byType.values()) {
        if (members.size() >= 2) {
          out.add(new Group(Kind.SUM, byOperand(members, 1)));
        }
      }
      for (List<Node> members : reductions.values()) {
        if (members.size() >= 2) {
          out.add(new Group(Kind.REDUCE, byOperand(members, 0)));
        }
      }
      for (List<Node> members : scatters.values()) {
        if (members.size() >= 2) {
          out.add(new Group(Kind.SCATTER, byOperand(members, 0)));
        }
      }
      return out;
    }

    /**
     * Members in the order of their steps, by their operand number {@code operand} (then their own
     * graph order): the operand that differs per step, {@code a_t} of rows, the cotangent {@code
     * g_t} of a sum, the operand of a reduction, the ids of a scatter-add. A forward value comes in
     * graph order; a value of the backward pass only (no output or loss needs it) in reverse graph
     * order, as a loop's backward pass computes its cotangents last step first. So the sums of a
     * weight gradient, the reductions of a bias gradient, the rows of an input gradient and the
     * scatter-adds of a table gradient (ordered by their ids, forward values) all stack a cotangent
     * in step order, and its stack is one node (a cotangent is then stored into one stacked buffer,
     * not two); a forward value stacks in the same order for its rows and for a weight gradient's
     * sum.
     */
    private List<Node> byOperand(List<Node> members, int operand) {
      if (position.isEmpty()) {
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
          position.put(nodes.get(i), i);
        }
      }
      List<Node> sorted = new ArrayList<>(members);
      sorted.sort(
          Comparator.comparingInt((Node x) -> step(x.input(operand)))
              .thenComparingInt(position::get));
      return sorted;
    }

    /** The graph position of a forward value, minus that of a backward-only one. */
    private int step(Node n) {
      boolean forward = (needs.getOrDefault(n, 0) & FORWARD_ROLES) != 0;
      return forward ? position.get(n) : -position.get(n);
    }

    /**
     * The members with no path from or to another member: one walk down from all members' users and
     * one up from all their inputs, so linear in the graph whatever the number of members.
     */
    List<Node> independent(List<Node> members) {
      Set<Node> below = new HashSet<>();
      Deque<Node> work = new ArrayDeque<>();
      for (Node m : members) {
        work.addAll(usersOf(m));
      }
      while (!work.isEmpty()) {
        Node n = work.pop();
        if (below.add(n)) {
          work.addAll(usersOf(n));
        }
      }
      Set<Node> above = ancestors(members.stream().flatMap(m -> m.inputs().stream()).toList());
      List<Node> free = new ArrayList<>();
      for (Node m : members) {
        if (!below.contains(m) && !above.contains(m)) {
          free.add(m);
        }
      }
      return free;
    }
  }

  /** {@code from} and every node they depend on. */
  static Set<Node> ancestors(List<Node> from) {
    Set<Node> seen = new HashSet<>();
    Deque<Node> work = new ArrayDeque<>(from);
    while (!work.isEmpty()) {
      Node n = work.pop();
      if (seen.add(n)) {
        work.addAll(n.inputs());
      }
    }
    return seen;
  }

  /**
   * Rebuilds {@code g} with {@code group} merged. The nodes the merged product reads (and theirs)
   * are visited first, in graph order, then the others in graph order, so the product can be built
   * at the first member; no member is among the first (it would depend on another member).
   */
  private static Graph merge(Graph g, Analysis an, Group group) {
    List<Node> operands = new ArrayList<>();
    for (Node m : group.members()) {
      operands.addAll(m.inputs());
    }
    Set<Node> first = ancestors(operands);
    List<Node> order = new ArrayList<>(g.nodes().size());
    for (Node n : g.nodes()) {
      if (first.contains(n)) {
        order.add(n);
      }
    }
    for (Node n : g.nodes()) {
      if (!first.contains(n)) {
        order.add(n);
      }
    }
    Map<Node, Integer> position = new HashMap<>();
    for (int i = 0; i < group.members().size(); i++) {
      position.put(group.members().get(i), i);
    }
    Node[] merged = new Node[1];
    return Rewriter.rebuild(
        g,
        order,
        (b, n, inputs) -> {
          Integer t = position.get(n);
          if (t == null) {
            return b.copy(n, inputs);
          }
          Emit e = b.at(group.members().get(0));
          if (merged[0] == null) {
            merged[0] = product(e, b, group);
            if (group.kind() != Kind.ROWS) {
              return merged[0];
            }
          }
          return switch (group.kind()) {
            case ROWS -> e.reshape(e.slice(merged[0], 1, t, t + 1), n.shape());
            case SUM, REDUCE, SCATTER -> e.fill(0, n.shape(), n.dtype());
          };
        });
  }

  /** The merged product (or reduction), from the members' rebuilt operands. */
  private static Node product(Emit e, Rewriter.Context b, Group group) throws ShapeError {
    List<Node> as = new ArrayList<>();
    List<Node> gs = new ArrayList<>();
    for (Node m : group.members()) {
      as.add(b.rebuilt(m.input(0)));
      if (group.kind() != Kind.REDUCE) {
        gs.add(b.rebuilt(m.input(1)));
      }
    }
    Node first = group.members().get(0);
    return switch (group.kind()) {
      case ROWS -> e.matmul(e.stack(as, 1), gs.get(0), false, ((MatMul) first.op()).transposeB());
      case SUM -> e.matmul(e.stack(as, 1), e.stack(gs, 1), true, false);
      case REDUCE -> stackedSum(e, as, ((Sum) first.op()).axes());
      case SCATTER -> {
        Columns c = columns(group.members().stream().map(m -> m.input(0)).toList());
        Node x = b.rebuilt(c.source());
        Node ids = c.end() - c.start() == x.shape().dim(1) ? x : e.slice(x, 1, c.start(), c.end());
        yield e.scatterAdd(ids, e.stack(gs, 1), ((ScatterAdd) first.op()).rows());
      }
    };
  }

  /** Columns {@code [start, end)} of axis 1 of {@code source}. */
  record Columns(Node source, int start, int end) {}

  /**
   * Where int {@code ids} are the consecutive columns {@code x[:, t0]}, {@code x[:, t0 + 1]}, … of
   * one tensor (as an unrolled loop reads its ids), their stack along axis 1 is those columns of
   * {@code x}, a view; else {@code null}: int tensors are never concatenated, so such scatter-adds
   * stay apart.
   */
  static Columns columns(List<Node> ids) {
    Node source = null;
    int start = -1;
    int next = -1;
    for (Node id : ids) {
      if (!(id.op() instanceof Reshape) || !(id.input(0).op() instanceof Slice sl)) {
        return null;
      }
      Node x = id.input(0).input(0);
      if (sl.axis() != 1 || sl.end() != sl.start() + 1 || (source != null && x != source)) {
        return null;
      }
      int[] dims = x.shape().dims();
      int[] dropped = new int[dims.length - 1];
      for (int k = 0, j = 0; k < dims.length; k++) {
        if (k != 1) {
          dropped[j++] = dims[k];
        }
      }
      if (!id.shape().equals(Shape.of(dropped)) || (source != null && sl.start() != next)) {
        return null;
      }
      if (source == null) {
        source = x;
        start = sl.start();
      }
      next = sl.start() + 1;
    }
    return source == null ? null : new Columns(source, start, next);
  }

  /**
   * {@code Σ_t sum(x_t, axes)} as one sum over {@code stack(x_t, 1)}: its axis 1 and the members'
   * axes (shifted past it). Stacked at 1 because the batch axis stays first, and when the batch is
   * summed (a bias gradient) the stack is the one of the same operands the weight gradients read.
   */
  private static Node stackedSum(Emit e, List<Node> xs, List<Integer> axes) throws ShapeError {
    int at = 1;
    List<Integer> merged = new ArrayList<>();
    merged.add(at);
    for (int a : axes) {
      merged.add(a < at ? a : a + 1);
    }
    merged.sort(null);
    return e.sum(e.stack(xs, at), false, merged.stream().mapToInt(Integer::intValue).toArray());
  }
}
