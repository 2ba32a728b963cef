package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gradc.compiler.ir.Elementwise;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ops.Concat;
import org.gradc.compiler.ir.ops.Reshape;

/**
 * The first stage of the {@link Scheduler}: which nodes are needed, how each is computed ({@link
 * Mode}), how computed nodes are fused into groups (one kernel each) and which values must be
 * stored. Immutable once built.
 *
 * <ul>
 *   <li><b>field</b>: inputs, parameters and constants live in their own buffers;
 *   <li><b>inline</b>: recomputed wherever it is read, at the index it is read at: fills, the batch
 *       size, one-hot, views (transpose, reshape, slice, gather) except where a root reads them
 *       {@linkplain OpLowering.Root#readsStored stored} (a matmul's shared {@code transpose(W)}),
 *       and an elementwise node whose only consumer is a reduction or a matmul operand (so {@code
 *       sum(exp(x - m))} is one loop);
 *   <li><b>computed</b> in a <em>group</em>, one kernel each: a {@link OpLowering.Root root} or
 *       none, followed by elementwise members over the same shape. A member joins the group of its
 *       latest dependency when it reads that group's values only at its own index; members then
 *       pass values in locals and only what is read elsewhere is stored. Elementwise epilogues so
 *       fuse into the matmul that feeds them ({@code relu(x @ W + b)} is one pass over the output).
 *       A member that cannot join that group (it reads a view of it, as an LSTM's gates read slices
 *       of the matmul's {@code z}) joins the newest group instead when that is a pointwise group
 *       over the same shape (siblings: the four gates are one pass).
 * </ul>
 *
 * <p>Groups run in creation order (a topological order). The plan knows op classes only through
 * their {@link OpLowering}.
 */
final class FusionPlan {
  /**
   * A member whose {@link FusedBytes} would take its group past this many bytes starts a new group,
   * which keeps every kernel method under {@link ModelCompiler#METHOD_BUDGET} in every precision
   * and back end, with room for the loops around the members.
   */
  static final int GROUP_BYTES = 6000;

  /**
   * An elementwise chain recomputed inside one reader ({@code tanh(tanh(…))} read by a reduction)
   * is stored instead once its code would exceed this many bytes.
   */
  static final int INLINE_BYTES = 2500;

  enum Mode {
    FIELD,
    INLINE,
    COMPUTED
  }

  /**
   * One kernel's worth of nodes.
   *
   * @param root the node with a loop nest of its own, or {@code null} for a pointwise group; for a
   *     {@link #copy} group, the field it copies to its role buffers
   * @param copy whether this group only copies a field that also plays a role (an output that is an
   *     input)
   * @param reads the non-inline nodes the group reads
   */
  record Group(
      int index, Node root, boolean copy, Shape shape, List<Node> members, Set<Node> reads) {
    Group {
      members = List.copyOf(members);
      reads = Collections.unmodifiableSet(new LinkedHashSet<>(reads));
    }

    /** The root's rule, or null (pointwise and copy groups). */
    OpLowering.Root rootRule() {
      return root == null || copy ? null : (OpLowering.Root) OpLowerings.of(root.op());
    }

    /** {@code matmul}, {@code reduce}, {@code concat}, {@code pointwise} or {@code copy}. */
    String kind() {
      return copy ? "copy" : root == null ? "pointwise" : rootRule().kind();
    }

    /** Whether the root's result is only in the local {@code acc} while the epilogue runs. */
    boolean fusesEpilogue() {
      OpLowering.Root r = rootRule();
      return r != null && r.fusesEpilogue();
    }

    List<Node> nodes() {
      List<Node> all = new ArrayList<>();
      if (root != null) {
        all.add(root);
      }
      all.addAll(members);
      return all;
    }
  }

  /**
   * A concat operand written in place: the kernel computing {@code value} also stores it into
   * {@code concat}'s buffer at the operand's position, so the concat copies nothing for it (a
   * {@code stack} of a loop's outputs is assembled by the steps that compute them). {@code operand}
   * is the concat's input number {@code input}: {@code value} itself, or reshapes of it that only
   * insert or drop axes of extent 1 (a {@code stack}'s); {@code offset} is its start along the
   * joined axis. When {@code inner} is not null, {@code operand} is a concat (or such a reshape of
   * one) whose every part is written in place, and {@code value} is one of those parts: its kernel
   * stores it through {@code inner} into the inner concat's buffer and from there into this
   * concat's, so the inner concat is never copied (the stacked cotangent of an LSTM's gates).
   */
  record ConcatSlot(
      Node concat, int input, Node operand, Node value, int offset, ConcatSlot inner) {

    /** The index into {@code concat} of element {@code idx} of {@code value}. */
    List<Ix> index(List<Ix> idx) {
      Shape from = value.shape();
      List<Ix> at = idx;
      if (inner != null) {
        at = inner.index(idx);
        from = inner.concat().shape();
      }
      List<Ix> into = new ArrayList<>(ViewLowerings.unitAxesIndex(from, operand.shape(), at));
      int axis = ((Concat) concat.op()).axis();
      into.set(axis, Ix.add(into.get(axis), offset));
      return into;
    }
  }

  final List<Node> needed;
  private final Map<Node, List<Node>> consumers;
  private final Map<Node, List<ConcatSlot>> slotsOf;
  private final Set<ConcatSlot> slots;
  private final Map<Node, Set<Integer>> inPlace;
  private final Map<Node, Mode> mode;
  private final Map<Node, Set<Node>> deps;
  final List<Group> groups;
  private final Map<Node, Group> groupOf;
  private final Map<Node, Group> copyGroupOf;
  private final Set<Node> materialized;

  private FusionPlan(Builder b) {
    this.needed = List.copyOf(b.needed);
    this.consumers = b.consumers;
    this.mode = b.mode;
    this.deps = b.deps;
    this.groups = List.copyOf(b.groups);
    this.groupOf = b.groupOf;
    this.copyGroupOf = b.copyGroupOf;
    this.materialized = b.materialized;
    this.slotsOf = b.slotsOf;
    this.slots = b.slots;
    this.inPlace = b.inPlace;
  }

  /**
   * Plans {@code graph}. {@code roleNodes}, in role order (outputs, gradients, loss), are the nodes
   * whose values go to role buffers: they are always computed and stored.
   *
   * @throws UnsupportedOpException for a needed node whose op has no {@link OpLowering}
   */
  static FusionPlan plan(Graph graph, List<Node> roleNodes) {
    return new FusionPlan(new Builder(roleNodes).run(graph));
  }

  Mode mode(Node n) {
    return mode.get(n);
  }

  /** Whether {@code n}'s value lives in a buffer. */
  boolean stored(Node n) {
    return materialized.contains(n);
  }

  /** The group computing {@code n} (for a field with a role, its copy group), or null. */
  Group groupFor(Node n) {
    Group g = groupOf.get(n);
    return g != null ? g : copyGroupOf.get(n);
  }

  /** Non-inline nodes read when computing {@code n} (through inline nodes). */
  Set<Node> deps(Node n) {
    return deps.get(n);
  }

  List<Node> consumers(Node n) {
    return consumers.getOrDefault(n, List.of());
  }

  /** The concat slots {@code value}'s kernel also stores it to. */
  List<ConcatSlot> concatSlots(Node value) {
    return slotsOf.getOrDefault(value, List.of());
  }

  /** Every concat slot, in definition order of the concats. */
  Set<ConcatSlot> concatSlots() {
    return slots;
  }

  /** Whether input number {@code input} of {@code concat} is written in place by its producer. */
  boolean writtenInPlace(Node concat, int input) {
    return inPlace.getOrDefault(concat, Set.of()).contains(input);
  }

  /** The mutable state of planning; frozen into a {@link FusionPlan}. */
  private static final class Builder {
    private final Set<Node> roles;
    private final List<Node> roleOrder;
    final List<Node> needed = new ArrayList<>();
    final Map<Node, List<Node>> consumers = new HashMap<>();
    final Map<Node, Mode> mode = new HashMap<>();
    final Map<Node, Set<Node>> deps = new HashMap<>();
    final List<Group> groups = new ArrayList<>();
    final Map<Node, Group> groupOf = new HashMap<>();
    final Map<Node, Group> copyGroupOf = new HashMap<>();
    final Set<Node> materialized = new HashSet<>();
    final Map<Node, List<ConcatSlot>> slotsOf = new HashMap<>();
    final Set<ConcatSlot> slots = new LinkedHashSet<>();
    final Map<Node, Set<Integer>> inPlace = new HashMap<>();

    /** The slots of each concat, one per part written in place (a nested concat's parts). */
    private final Map<Node, List<ConcatSlot>> slotsInto = new HashMap<>();

    /** Groups under construction: their members and reads grow. */
    private final List<GroupDraft> drafts = new ArrayList<>();

    private final Map<Node, GroupDraft> draftOf = new HashMap<>();

    /** The {@link FusedBytes} of every node as its readers see it (a read, or inlined code). */
    private final Map<Node, Integer> readBytes = new HashMap<>();

    /** {@code bytes[0]}: the {@link FusedBytes} of the members so far. */
    private record GroupDraft(
        int index,
        Node root,
        boolean copy,
        Shape shape,
        List<Node> members,
        Set<Node> reads,
        int[] bytes) {}

    Builder(List<Node> roleNodes) {
      this.roleOrder = List.copyOf(new LinkedHashSet<>(roleNodes));
      this.roles = new HashSet<>(roleOrder);
    }

    Builder run(Graph graph) {
      collectNeeded(graph);
      for (int i = needed.size() - 1; i >= 0; i--) {
        Node n = needed.get(i);
        mode.put(n, decideMode(n));
      }
      boundInlineChains();
      for (Node n : needed) {
        if (mode.get(n) == Mode.COMPUTED) {
          place(n);
        }
      }
      List<GroupDraft> copies = new ArrayList<>();
      for (Node n : roleOrder) {
        if (mode.get(n) == Mode.FIELD) {
          copies.add(new GroupDraft(-1, n, true, n.shape(), List.of(), Set.of(n), new int[1]));
        }
      }
      List<GroupDraft> all = new ArrayList<>(copies);
      all.addAll(drafts);
      for (GroupDraft d : all) {
        Group g = new Group(groups.size(), d.root(), d.copy(), d.shape(), d.members(), d.reads());
        groups.add(g);
        if (!g.copy()) {
          for (Node m : g.nodes()) {
            groupOf.put(m, g);
          }
        } else {
          copyGroupOf.putIfAbsent(g.root(), g);
        }
      }
      decideMaterialized();
      decideConcatSlots();
      dropSlotOnlyValues();
      return this;
    }

    /**
     * A group member that only concats read, each writing it in place, needs no buffer of its own:
     * its kernel stores it only into the concats (the four gate cotangents of an LSTM step go only
     * into their concat and the stack of it). Kept: a root, and the member whose buffer a matmul
     * without one of its own accumulates in (the first stored member, see {@code
     * KernelBuilder.RootContext.out}).
     */
    private void dropSlotOnlyValues() {
      for (Node v : needed) {
        Group g = groupOf.get(v);
        if (!slotsOf.containsKey(v)
            || roles.contains(v)
            || g == null
            || g.root() == v
            || accumulatesIn(g, v)) {
          continue;
        }
        boolean onlySlots = true;
        for (Node u : consumers.getOrDefault(v, List.of())) {
          for (int k = 0; k < u.inputs().size() && onlySlots; k++) {
            onlySlots = u.input(k) != v || writtenDirectly(u, k, v);
          }
        }
        if (onlySlots) {
          materialized.remove(v);
        }
      }
    }

    /** Whether {@code g}'s root has no buffer and accumulates in member {@code v}'s. */
    private boolean accumulatesIn(Group g, Node v) {
      if (g.root() == null || materialized.contains(g.root())) {
        return false;
      }
      for (Node m : g.members()) {
        if (materialized.contains(m)) {
          return m == v;
        }
      }
      return false;
    }

    /** Whether input {@code k} of {@code u} is {@code v} itself, written in place by its kernel. */
    private boolean writtenDirectly(Node u, int k, Node v) {
      for (ConcatSlot s : slotsInto.getOrDefault(u, List.of())) {
        if (s.input() == k && s.value() == v && s.inner() == null && s.operand() == v) {
          return true;
        }
      }
      return false;
    }

    /**
     * Every concat operand whose value a kernel of its own computes and stores is written in place
     * (see {@link ConcatSlot}); views that move elements, fields (inputs, parameters) and values
     * another kernel would have to copy anyway are copied by the concat.
     */
    private void decideConcatSlots() {
      for (Node c : needed) {
        if (!(c.op() instanceof Concat concat) || mode.get(c) != Mode.COMPUTED) {
          continue;
        }
        int offset = 0;
        for (int k = 0; k < c.inputs().size(); k++) {
          Node operand = c.input(k);
          Node value = operand;
          while (mode.get(value) == Mode.INLINE
              && value.op() instanceof Reshape
              && unitAxes(value.input(0).shape(), value.shape())) {
            value = value.input(0);
          }
          if (value != c
              && mode.get(value) == Mode.COMPUTED
              && materialized.contains(value)
              && value.dtype() == c.dtype()
              && unitAxes(value.shape(), operand.shape())) {
            if (value.op() instanceof Concat
                && inPlace.getOrDefault(value, Set.of()).size() == value.inputs().size()) {
              // a concat its parts' kernels assemble: they store into this one as well
              for (ConcatSlot part : slotsInto.get(value)) {
                add(new ConcatSlot(c, k, operand, part.value(), offset, part));
              }
            } else {
              add(new ConcatSlot(c, k, operand, value, offset, null));
            }
            inPlace.computeIfAbsent(c, x -> new HashSet<>()).add(k);
          }
          offset += operand.shape().dim(concat.axis());
        }
      }
    }

    private void add(ConcatSlot slot) {
      slots.add(slot);
      slotsOf.computeIfAbsent(slot.value(), x -> new ArrayList<>()).add(slot);
      slotsInto.computeIfAbsent(slot.concat(), x -> new ArrayList<>()).add(slot);
    }

    private static boolean unitAxes(Shape from, Shape to) {
      return ViewLowerings.unitAxesIndex(from, to, Indexing.axisVars(from.rank())) != null;
    }

    private void collectNeeded(Graph graph) {
      Set<Node> seen = new HashSet<>();
      List<Node> stack = new ArrayList<>(roleOrder);
      while (!stack.isEmpty()) {
        Node n = stack.remove(stack.size() - 1);
        if (seen.add(n)) {
          stack.addAll(n.inputs());
        }
      }
      for (Node n : graph.nodes()) {
        if (seen.contains(n)) {
          needed.add(n);
          for (Node in : new LinkedHashSet<>(n.inputs())) {
            consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
          }
        }
      }
    }

    private static OpLowering rule(Node n) {
      OpLowering r = OpLowerings.of(n.op());
      if (r == null) {
        throw new UnsupportedOpException(n);
      }
      return r;
    }

    private static boolean elementwise(Node n) {
      return OpLowerings.of(n.op()) == ElementwiseLowering.INSTANCE;
    }

    private Mode decideMode(Node n) {
      OpLowering rule = rule(n);
      if (rule instanceof OpLowering.Leaf) {
        return Mode.FIELD;
      }
      if (roles.contains(n) || rule instanceof OpLowering.Root) {
        return Mode.COMPUTED;
      }
      if (indexFree(n)) {
        return Mode.INLINE;
      }
      OpLowering.Element element = (OpLowering.Element) rule;
      List<Node> users = consumers.getOrDefault(n, List.of());
      boolean readFlat =
          users.stream()
              .anyMatch(
                  u ->
                      OpLowerings.of(u.op()) instanceof OpLowering.Element e
                          && e.readsInputFlat(u));
      if (element.view()) {
        boolean readStored =
            users.stream()
                .anyMatch(
                    u ->
                        OpLowerings.of(u.op()) instanceof OpLowering.Root r && r.readsStored(u, n));
        return readFlat || readStored ? Mode.COMPUTED : Mode.INLINE;
      }
      if (users.size() == 1 && !readFlat) {
        Node u = users.get(0);
        boolean inlinedByRoot =
            OpLowerings.of(u.op()) instanceof OpLowering.Root r && r.inlinesOperands();
        boolean inlineChain = elementwise(u) && mode.get(u) == Mode.INLINE;
        if (inlinedByRoot || inlineChain) {
          return Mode.INLINE;
        }
      }
      return Mode.COMPUTED;
    }

    /**
     * A value that is the same at every index and costs a few instructions: fills, the batch size,
     * and elementwise formulas of those (a mean's {@code 1 / (n * 4)}). Recomputed where used; C2
     * hoists it out of the loops.
     */
    private boolean indexFree(Node n) {
      if (OpLowerings.of(n.op()) instanceof OpLowering.Element e && e.uniform()) {
        return true;
      }
      if (!elementwise(n) || !n.shape().isScalar() && !n.inputs().isEmpty()) {
        return elementwise(n) && n.inputs().isEmpty();
      }
      for (Node in : n.inputs()) {
        if (!indexFree(in)) {
          return false;
        }
      }
      return true;
    }

    /**
     * In definition order, the code each node costs where it is computed ({@link FusedBytes}); an
     * inline elementwise chain whose code would pass {@link #INLINE_BYTES} is computed instead, so
     * its readers read it. (Modes are decided consumers first; code accumulates producers first,
     * hence a pass of its own. Computing a node its consumer would have inlined is always correct.)
     */
    private void boundInlineChains() {
      for (Node n : needed) {
        int bytes = codeBytes(n);
        if (mode.get(n) == Mode.INLINE && elementwise(n) && !indexFree(n) && bytes > INLINE_BYTES) {
          mode.put(n, Mode.COMPUTED);
        }
        readBytes.put(n, mode.get(n) == Mode.INLINE ? bytes : FusedBytes.READ);
      }
    }

    /** The code computing {@code n} from its inputs as they are read. */
    private int codeBytes(Node n) {
      List<Integer> args = new ArrayList<>();
      int sum = 0;
      for (Node in : n.inputs()) {
        int b = readBytes.getOrDefault(in, FusedBytes.READ);
        args.add(b);
        sum += b;
      }
      if (n.op() instanceof Elementwise e) {
        return FusedBytes.of(e.scalar(), args);
      }
      // a view, one-hot or gather: index arithmetic around its inputs' reads
      return FusedBytes.READ + sum;
    }

    private Set<Node> deps(Node n) {
      Set<Node> d = deps.get(n);
      if (d != null) {
        return d;
      }
      d = new LinkedHashSet<>();
      for (Node in : n.inputs()) {
        if (mode.get(in) == Mode.INLINE) {
          d.addAll(deps(in));
        } else {
          d.add(in);
        }
      }
      deps.put(n, d);
      return d;
    }

    private void place(Node n) {
      if (rule(n) instanceof OpLowering.Root) {
        GroupDraft g = newGroup(n, n.shape());
        g.reads().addAll(deps(n));
        return;
      }
      GroupDraft latest = null;
      for (Node d : deps(n)) {
        GroupDraft g = draftOf.get(d);
        if (g != null && (latest == null || g.index() > latest.index())) {
          latest = g;
        }
      }
      int bytes = FusedBytes.MEMBER + codeBytes(n);
      GroupDraft last = drafts.isEmpty() ? null : drafts.get(drafts.size() - 1);
      if (latest != null && !canJoin(n, latest, bytes) && last != latest && pointwise(last)) {
        // a sibling: the newest group is a pointwise one over the same shape, after every group
        // n reads, so n can run in its loop (an LSTM's gates, each reading a slice of the
        // matmul's z, which no gate can join, are one pass instead of four)
        latest = last;
      }
      if (latest != null && canJoin(n, latest, bytes)) {
        latest.members().add(n);
        latest.bytes()[0] += bytes;
        draftOf.put(n, latest);
        latest.reads().addAll(deps(n));
        return;
      }
      GroupDraft g = newGroup(null, n.shape());
      g.members().add(n);
      g.bytes()[0] = bytes;
      draftOf.put(n, g);
      g.reads().addAll(deps(n));
    }

    private static boolean pointwise(GroupDraft g) {
      return g != null && g.root() == null && !g.copy();
    }

    private boolean canJoin(Node n, GroupDraft g, int bytes) {
      if (!g.shape().equals(n.shape()) || g.bytes()[0] + bytes > GROUP_BYTES) {
        return false;
      }
      boolean matmulLike =
          g.root() != null && ((OpLowering.Root) OpLowerings.of(g.root().op())).fusesEpilogue();
      for (Node d : deps(n)) {
        if (draftOf.get(d) == g) {
          boolean identity =
              elementwise(n) && n.inputs().contains(d) && d.shape().equals(n.shape());
          // a root whose result is stored first is complete before the epilogue runs
          boolean finished = d == g.root() && !matmulLike;
          if (!identity && !finished) {
            return false;
          }
        }
      }
      return true;
    }

    private GroupDraft newGroup(Node root, Shape shape) {
      GroupDraft g =
          new GroupDraft(
              drafts.size(),
              root,
              false,
              shape,
              new ArrayList<>(),
              new LinkedHashSet<>(),
              new int[1]);
      drafts.add(g);
      if (root != null) {
        draftOf.put(root, g);
      }
      return g;
    }

    private void decideMaterialized() {
      for (Node n : needed) {
        Mode m = mode.get(n);
        if (m == Mode.FIELD) {
          materialized.add(n);
        } else if (m == Mode.COMPUTED) {
          Group g = groupOf.get(n);
          boolean must = roles.contains(n) || (g.root() == n && !g.fusesEpilogue());
          for (Node u : consumers.getOrDefault(n, List.of())) {
            boolean local =
                groupOf.get(u) == g
                    && mode.get(u) == Mode.COMPUTED
                    && elementwise(u)
                    && u.shape().equals(n.shape());
            must |= !local;
          }
          if (must) {
            materialized.add(n);
          }
        }
      }
    }
  }
}
