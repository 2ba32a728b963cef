package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Elementwise;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Op;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ops.BatchSize;
import org.gradc.compiler.ir.ops.Concat;
import org.gradc.compiler.ir.ops.Constant;
import org.gradc.compiler.ir.ops.Gather;
import org.gradc.compiler.ir.ops.Input;
import org.gradc.compiler.ir.ops.MatMul;
import org.gradc.compiler.ir.ops.Mean;
import org.gradc.compiler.ir.ops.OneHot;
import org.gradc.compiler.ir.ops.Param;
import org.gradc.compiler.ir.ops.ReduceMax;
import org.gradc.compiler.ir.ops.Reshape;
import org.gradc.compiler.ir.ops.Slice;
import org.gradc.compiler.ir.ops.Sum;
import org.gradc.compiler.ir.ops.Transpose;

/**
 * The scheduler: decides, for a joint graph, what is computed where and fused how, and lowers it to
 * {@link Kernel}s over named buffers. Every node is one of:
 *
 * <ul>
 *   <li><b>field</b>: inputs, parameters and constants live in their own buffers;
 *   <li><b>inline</b>: recomputed wherever it is read, at the index it is read at: fills, the batch
 *       size, one-hot, views (transpose, reshape, slice, gather), and an elementwise node whose
 *       only consumer is a reduction or a matmul operand (so {@code sum(exp(x - m))} is one loop);
 *   <li><b>computed</b> in a <em>group</em>, one kernel each: a root (matmul, reduction, concat) or
 *       none, followed by elementwise members over the same shape. A member joins the group of its
 *       latest dependency when it reads that group's values only at its own index; members then
 *       pass values in locals and only what is read elsewhere is stored. Elementwise epilogues so
 *       fuse into the matmul that feeds them ({@code relu(x @ W + b)} is one pass over the output).
 * </ul>
 *
 * <p>Groups run in creation order (a topological order). The optimizer update of a parameter is
 * appended to the group that writes its gradient, when no later kernel reads the parameter.
 */
final class Lowering {
  /** A group larger than this starts a new one, which keeps every kernel method small. */
  static final int MAX_GROUP_MEMBERS = 48;

  private enum Mode {
    FIELD,
    INLINE,
    COMPUTED
  }

  private enum Kind {
    POINTWISE,
    MATMUL,
    REDUCE,
    CONCAT,
    COPY
  }

  /** One kernel's worth of nodes. */
  static final class Group {
    final int index;
    final Kind kind;
    final Node root;
    final Shape shape;
    final List<Node> members = new ArrayList<>();

    /** Non-inline nodes this group reads. */
    final Set<Node> reads = new LinkedHashSet<>();

    Group(int index, Kind kind, Node root, Shape shape) {
      this.index = index;
      this.kind = kind;
      this.root = root;
      this.shape = shape;
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

  /** One kernel method of the class, and where the entry points call it. */
  record Method(String name, Kernel kernel) {}

  private final TrainingGraph tg;
  private final Graph graph;
  private final Precision precision;
  private final List<Node> needed = new ArrayList<>();
  private final Map<Node, List<Node>> consumers = new HashMap<>();
  private final Map<Node, Mode> mode = new HashMap<>();
  private final Map<Node, Set<Node>> deps = new HashMap<>();
  private final List<Group> groups = new ArrayList<>();
  private final Map<Node, Group> groupOf = new HashMap<>();
  private final Set<Node> materialized = new HashSet<>();
  private final Map<Node, String> home = new HashMap<>();
  private final Map<Node, List<String>> roleFields = new LinkedHashMap<>();
  private final Map<String, Node> scratchB = new LinkedHashMap<>();
  private final List<ClassPlan.Field> fields = new ArrayList<>();
  private final Map<String, String> gradientField = new LinkedHashMap<>();
  private final Map<String, String> paramField = new LinkedHashMap<>();

  // results
  final List<Method> methods = new ArrayList<>();
  final List<String> forward = new ArrayList<>();
  final List<String> gradients = new ArrayList<>();
  final List<String> trainStep = new ArrayList<>();
  final List<String> update = new ArrayList<>();
  String lossField;

  private Lowering(TrainingGraph tg, Precision precision) {
    this.tg = tg;
    this.graph = tg.graph();
    this.precision = precision;
  }

  /** Schedules {@code tg}; {@code specSlots} maps each spec tensor name to its slot. */
  static Lowering lower(TrainingGraph tg, Precision precision, org.gradc.runtime.ModelSpec spec) {
    Lowering l = new Lowering(tg, precision);
    l.run(spec);
    return l;
  }

  List<ClassPlan.Field> fields() {
    return fields;
  }

  // ---------------------------------------------------------------- analysis

  private void run(org.gradc.runtime.ModelSpec spec) {
    collectNeeded();
    declareRoleFields(spec);
    for (int i = needed.size() - 1; i >= 0; i--) {
      Node n = needed.get(i);
      mode.put(n, decideMode(n));
    }
    for (Node n : needed) {
      if (mode.get(n) == Mode.COMPUTED) {
        place(n);
      }
    }
    copyGroupsForFieldRoles();
    decideMaterialized();
    planMemory();
    emitKernels();
  }

  private void collectNeeded() {
    Set<Node> roots = new LinkedHashSet<>();
    roots.addAll(graph.outputs().values());
    if (graph.loss() != null) {
      roots.add(graph.loss());
      roots.addAll(graph.gradients().values());
    }
    Set<Node> seen = new HashSet<>();
    List<Node> stack = new ArrayList<>(roots);
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

  private String floatDesc() {
    return precision.arrayDescriptor();
  }

  private String descriptor(Node n) {
    return n.dtype() == DType.I32 ? "[I" : floatDesc();
  }

  private void declareRoleFields(org.gradc.runtime.ModelSpec spec) {
    for (Map.Entry<String, Node> e : graph.inputs().entrySet()) {
      String f = "i_" + e.getKey();
      addField(f, e.getValue(), spec.slot(org.gradc.runtime.TensorKind.INPUT, e.getKey()));
      home.put(e.getValue(), f);
    }
    for (Map.Entry<String, Node> e : graph.params().entrySet()) {
      String f = "p_" + e.getKey();
      addField(f, e.getValue(), spec.slot(org.gradc.runtime.TensorKind.PARAM, e.getKey()));
      home.put(e.getValue(), f);
      paramField.put(e.getKey(), f);
    }
    for (Map.Entry<String, Node> e : graph.outputs().entrySet()) {
      String f = "o_" + e.getKey();
      addField(f, e.getValue(), spec.slot(org.gradc.runtime.TensorKind.OUTPUT, e.getKey()));
      roleFields.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(f);
    }
    if (graph.loss() != null) {
      for (Map.Entry<String, Node> e : graph.params().entrySet()) {
        String f = "g_" + e.getKey();
        Node p = e.getValue();
        fields.add(
            new ClassPlan.Field(
                f,
                floatDesc(),
                false,
                (int) p.shape().rowSize(),
                spec.slot(org.gradc.runtime.TensorKind.GRADIENT, e.getKey())));
        gradientField.put(e.getKey(), f);
        Node g = graph.gradients().get(e.getKey());
        if (g == null) {
          throw new IllegalArgumentException("no gradient for parameter " + e.getKey());
        }
        roleFields.computeIfAbsent(g, k -> new ArrayList<>()).add(f);
        for (String state : tg.optimizer().stateNames()) {
          fields.add(
              new ClassPlan.Field(
                  stateField(e.getKey(), state),
                  floatDesc(),
                  false,
                  (int) p.shape().rowSize(),
                  spec.slot(org.gradc.runtime.TensorKind.STATE, e.getKey() + "." + state)));
        }
      }
      lossField = "loss";
      fields.add(new ClassPlan.Field(lossField, floatDesc(), false, 1, -1));
      roleFields.computeIfAbsent(graph.loss(), k -> new ArrayList<>()).add(lossField);
    }
    for (Node n : needed) {
      if (n.op() instanceof Constant) {
        String f = "c_" + n.id();
        fields.add(new ClassPlan.Field(f, floatDesc(), false, (int) n.shape().rowSize(), -1));
        home.put(n, f);
      }
    }
  }

  private static String stateField(String param, String state) {
    return "s_" + param + "_" + state;
  }

  private void addField(String name, Node n, int slot) {
    fields.add(
        new ClassPlan.Field(
            name, descriptor(n), n.shape().isBatched(), (int) n.shape().rowSize(), slot));
  }

  private static boolean isRoot(Op op) {
    return op instanceof MatMul
        || op instanceof Sum
        || op instanceof Mean
        || op instanceof ReduceMax
        || op instanceof Concat;
  }

  private static boolean isView(Op op) {
    return op instanceof Transpose
        || op instanceof Reshape
        || op instanceof Slice
        || op instanceof Gather
        || op instanceof OneHot;
  }

  private Mode decideMode(Node n) {
    Op op = n.op();
    if (op instanceof Input || op instanceof Param || op instanceof Constant) {
      return Mode.FIELD;
    }
    if (roleFields.containsKey(n) || isRoot(op)) {
      return Mode.COMPUTED;
    }
    if (indexFree(n)) {
      return Mode.INLINE;
    }
    List<Node> users = consumers.getOrDefault(n, List.of());
    boolean readFlat = users.stream().anyMatch(u -> u.op() instanceof Reshape);
    if (isView(op)) {
      return readFlat ? Mode.COMPUTED : Mode.INLINE;
    }
    if (op instanceof Elementwise) {
      if (users.size() == 1 && !readFlat) {
        Node u = users.get(0);
        boolean reducer =
            u.op() instanceof Sum || u.op() instanceof Mean || u.op() instanceof ReduceMax;
        boolean operand = u.op() instanceof MatMul;
        boolean inlineChain = u.op() instanceof Elementwise && mode.get(u) == Mode.INLINE;
        if (reducer || operand || inlineChain) {
          return Mode.INLINE;
        }
      }
      return Mode.COMPUTED;
    }
    throw new IllegalArgumentException(
        "the code generator has no lowering for op " + op.name() + " (" + n + ")");
  }

  /**
   * A value that is the same at every index and costs a few instructions: fills, the batch size,
   * and elementwise formulas of those (a mean's {@code 1 / (n * 4)}). Recomputed where used; C2
   * hoists it out of the loops.
   */
  private boolean indexFree(Node n) {
    if (n.op() instanceof BatchSize) {
      return true;
    }
    if (!(n.op() instanceof Elementwise) || !n.shape().isScalar() && !n.inputs().isEmpty()) {
      return n.op() instanceof Elementwise && n.inputs().isEmpty();
    }
    for (Node in : n.inputs()) {
      if (!indexFree(in)) {
        return false;
      }
    }
    return true;
  }

  /** Non-inline nodes read when computing {@code n} (through inline nodes). */
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
    Op op = n.op();
    if (isRoot(op)) {
      Kind kind =
          op instanceof MatMul ? Kind.MATMUL : op instanceof Concat ? Kind.CONCAT : Kind.REDUCE;
      Group g = newGroup(kind, n, n.shape());
      g.reads.addAll(deps(n));
      return;
    }
    Group latest = null;
    for (Node d : deps(n)) {
      Group g = groupOf.get(d);
      if (g != null && (latest == null || g.index > latest.index)) {
        latest = g;
      }
    }
    if (latest != null && canJoin(n, latest)) {
      latest.members.add(n);
      groupOf.put(n, latest);
      latest.reads.addAll(deps(n));
      return;
    }
    Group g = newGroup(Kind.POINTWISE, null, n.shape());
    g.members.add(n);
    groupOf.put(n, g);
    g.reads.addAll(deps(n));
  }

  private boolean canJoin(Node n, Group g) {
    if (!g.shape.equals(n.shape())
        || g.members.size() >= MAX_GROUP_MEMBERS
        || g.kind == Kind.COPY) {
      return false;
    }
    for (Node d : deps(n)) {
      if (groupOf.get(d) == g) {
        boolean identity =
            n.op() instanceof Elementwise && n.inputs().contains(d) && d.shape().equals(n.shape());
        // a reduction's or concat's root is complete before the epilogue runs
        boolean finished = d == g.root && g.kind != Kind.MATMUL;
        if (!identity && !finished) {
          return false;
        }
      }
    }
    return true;
  }

  private Group newGroup(Kind kind, Node root, Shape shape) {
    Group g = new Group(groups.size(), kind, root, shape);
    groups.add(g);
    if (root != null) {
      groupOf.put(root, g);
    }
    return g;
  }

  /** Fields (inputs, parameters, constants) that also play a role are copied at the start. */
  private void copyGroupsForFieldRoles() {
    List<Group> copies = new ArrayList<>();
    for (Node n : roleFields.keySet()) {
      if (mode.get(n) == Mode.FIELD) {
        Group g = new Group(-1, Kind.COPY, n, n.shape());
        g.reads.add(n);
        copies.add(g);
      }
    }
    if (copies.isEmpty()) {
      return;
    }
    List<Group> all = new ArrayList<>(copies);
    all.addAll(groups);
    groups.clear();
    for (Group old : all) {
      Group g = new Group(groups.size(), old.kind, old.root, old.shape);
      g.members.addAll(old.members);
      g.reads.addAll(old.reads);
      groups.add(g);
      for (Node m : g.nodes()) {
        if (g.kind != Kind.COPY) {
          groupOf.put(m, g);
        }
      }
    }
  }

  private void decideMaterialized() {
    for (Node n : needed) {
      Mode m = mode.get(n);
      if (m == Mode.FIELD) {
        materialized.add(n);
      } else if (m == Mode.COMPUTED) {
        Group g = groupOf.get(n);
        boolean must = roleFields.containsKey(n) || (g.root == n && g.kind != Kind.MATMUL);
        for (Node u : consumers.getOrDefault(n, List.of())) {
          boolean local =
              groupOf.get(u) == g
                  && mode.get(u) == Mode.COMPUTED
                  && u.op() instanceof Elementwise
                  && u.shape().equals(n.shape());
          must |= !local;
        }
        if (must) {
          materialized.add(n);
        }
      }
    }
  }

  // ---------------------------------------------------------------- memory

  private void planMemory() {
    Map<Node, Integer> lastUse = new HashMap<>();
    for (Group g : groups) {
      for (Node r : g.reads) {
        lastUse.merge(r, g.index, Math::max);
      }
    }
    List<MemoryPlan.Request> requests = new ArrayList<>();
    for (Node n : needed) {
      if (materialized.contains(n) && !home.containsKey(n)) {
        List<String> roles = roleFields.get(n);
        if (roles != null) {
          home.put(n, roles.get(0));
          continue;
        }
        Group g = groupOf.get(n);
        requests.add(
            new MemoryPlan.Request(
                n,
                descriptor(n),
                n.shape().isBatched(),
                (int) n.shape().rowSize(),
                g.index,
                lastUse.getOrDefault(n, g.index)));
      }
    }
    for (Group g : groups) {
      if (g.kind == Kind.MATMUL) {
        MatMul mm = (MatMul) g.root.op();
        Node b = g.root.input(1);
        if (mm.transposeB() || !materialized.contains(b)) {
          String key = "scratch" + g.index;
          scratchB.put(key, g.root);
          Shape bs = b.shape();
          int k = bs.dim(mm.transposeB() ? 1 : 0);
          int n = bs.dim(mm.transposeB() ? 0 : 1);
          boolean batched = k == Shape.BATCH;
          requests.add(
              new MemoryPlan.Request(
                  key, floatDesc(), batched, batched ? n : k * n, g.index, g.index));
        }
      }
    }
    MemoryPlan plan = MemoryPlan.plan(requests, "t");
    for (MemoryPlan.Buffer b : plan.buffers()) {
      fields.add(new ClassPlan.Field(b.name(), b.descriptor(), b.batched(), b.rowSize(), -1));
      for (Object key : b.keys()) {
        if (key instanceof Node n) {
          home.put(n, b.name());
        }
      }
    }
    for (Map.Entry<String, Node> e : scratchB.entrySet()) {
      scratchName.put(e.getValue(), plan.bufferOf(e.getKey()));
    }
  }

  private final Map<Node, String> scratchName = new HashMap<>();

  // ---------------------------------------------------------------- expressions

  private static List<Ix> axisVars(int rank) {
    List<Ix> v = new ArrayList<>(rank);
    for (int i = 0; i < rank; i++) {
      v.add(Ix.var("a" + i));
    }
    return v;
  }

  private static List<Ix> dims(Shape s) {
    List<Ix> d = new ArrayList<>();
    for (int i = 0; i < s.rank(); i++) {
      d.add(s.dim(i) == Shape.BATCH ? Ix.N : Ix.lit(s.dim(i)));
    }
    return d;
  }

  /** Row-major flat index of {@code idx} in {@code shape}. */
  private static Ix linear(List<Ix> idx, Shape shape) {
    Ix flat = Ix.ZERO;
    int stride = 1;
    for (int i = shape.rank() - 1; i >= 0; i--) {
      flat = Ix.add(Ix.mul(idx.get(i), stride), flat);
      if (i > 0) {
        stride *= shape.dim(i);
      }
    }
    return flat;
  }

  /** The index into {@code in} that broadcasting maps {@code idx} of {@code out} to. */
  private static List<Ix> broadcast(List<Ix> idx, Shape out, Shape in) {
    List<Ix> r = new ArrayList<>();
    int offset = out.rank() - in.rank();
    for (int k = 0; k < in.rank(); k++) {
      int axis = k + offset;
      r.add(in.dim(k) == 1 && out.dim(axis) != 1 ? Ix.ZERO : idx.get(axis));
    }
    return r;
  }

  /** The value of {@code n} at {@code idx}: from its buffer, or computed in place. */
  private Fx read(Node n, List<Ix> idx) {
    if (materialized.contains(n)) {
      Ix at = linear(idx, n.shape());
      return n.dtype() == DType.I32
          ? new Fx.OfInt(new Ix.Load(home.get(n), at))
          : new Fx.Load(home.get(n), at);
    }
    if (mode.get(n) == Mode.COMPUTED) {
      throw new IllegalStateException("read of a value not stored: " + n);
    }
    return compute(n, idx, Map.of());
  }

  private Ix readInt(Node n, List<Ix> idx) {
    if (n.dtype() != DType.I32 || !materialized.contains(n)) {
      throw new IllegalArgumentException(
          "the code generator indexes only with int inputs, not with " + n);
    }
    return new Ix.Load(home.get(n), linear(idx, n.shape()));
  }

  /**
   * The value of {@code n} at {@code idx} by its definition; inputs that are in {@code locals} and
   * read at the same index come from those locals.
   */
  private Fx compute(Node n, List<Ix> idx, Map<Node, String> locals) {
    Op op = n.op();
    if (op instanceof Elementwise e) {
      List<Fx> args = new ArrayList<>();
      for (Node in : n.inputs()) {
        String local = in.shape().equals(n.shape()) ? locals.get(in) : null;
        args.add(local != null ? Fx.local(local) : read(in, broadcast(idx, n.shape(), in.shape())));
      }
      return scalar(e.scalar(), args);
    }
    if (op instanceof BatchSize) {
      return new Fx.OfInt(Ix.N);
    }
    if (op instanceof OneHot) {
      Ix label = readInt(n.input(0), idx.subList(0, idx.size() - 1));
      Fx hit =
          Fx.bin(Scalar.BinaryFn.EQ, new Fx.OfInt(label), new Fx.OfInt(idx.get(idx.size() - 1)));
      return new Fx.Select(hit, Fx.c(1), Fx.c(0));
    }
    if (op instanceof Gather) {
      List<Ix> at = new ArrayList<>(idx);
      at.add(readInt(n.input(1), idx));
      return read(n.input(0), at);
    }
    if (op instanceof Transpose t) {
      Ix[] at = new Ix[idx.size()];
      for (int i = 0; i < idx.size(); i++) {
        at[t.perm().get(i)] = idx.get(i);
      }
      return read(n.input(0), List.of(at));
    }
    if (op instanceof Slice s) {
      List<Ix> at = new ArrayList<>(idx);
      at.set(s.axis(), Ix.add(idx.get(s.axis()), s.start()));
      return read(n.input(0), at);
    }
    if (op instanceof Reshape) {
      Node in = n.input(0);
      if (materialized.contains(in)) {
        Ix flat = linear(idx, n.shape());
        return in.dtype() == DType.I32
            ? new Fx.OfInt(new Ix.Load(home.get(in), flat))
            : new Fx.Load(home.get(in), flat);
      }
      // an index-free value (a fill) reads the same everywhere
      List<Ix> zero = new ArrayList<>();
      for (int i = 0; i < in.shape().rank(); i++) {
        zero.add(Ix.ZERO);
      }
      return read(in, zero);
    }
    if (mode.get(n) == Mode.FIELD || materialized.contains(n)) {
      return read(n, idx);
    }
    throw new IllegalArgumentException("the code generator cannot compute " + n);
  }

  private static Fx scalar(Scalar s, List<Fx> args) {
    if (s instanceof Scalar.Arg a) {
      return args.get(a.index());
    } else if (s instanceof Scalar.Const c) {
      return Fx.c(c.value());
    } else if (s instanceof Scalar.Unary u) {
      return new Fx.Unary(u.fn(), scalar(u.x(), args));
    } else if (s instanceof Scalar.Binary b) {
      return new Fx.Binary(b.fn(), scalar(b.a(), args), scalar(b.b(), args));
    }
    Scalar.Select sel = (Scalar.Select) s;
    return new Fx.Select(
        scalar(sel.cond(), args), scalar(sel.ifTrue(), args), scalar(sel.ifFalse(), args));
  }

  // ---------------------------------------------------------------- kernels

  private void emitKernels() {
    Set<Group> forwardGroups = closure(rolesOf(graph.outputs().values()));
    Set<Node> gradRoots = new LinkedHashSet<>();
    if (graph.loss() != null) {
      gradRoots.add(graph.loss());
      gradRoots.addAll(graph.gradients().values());
    }
    Set<Group> gradientGroups = closure(rolesOf(gradRoots));
    Map<String, Group> fusedInto = fusedUpdates(gradientGroups);
    for (Group g : groups) {
      boolean f = forwardGroups.contains(g);
      boolean b = gradientGroups.contains(g);
      if (!f && !b) {
        continue;
      }
      String name = "k" + g.index;
      methods.add(new Method(name, kernel(g, List.of())));
      if (f) {
        forward.add(name);
      }
      if (b) {
        gradients.add(name);
        List<String> params = new ArrayList<>();
        for (Map.Entry<String, Group> e : fusedInto.entrySet()) {
          if (e.getValue() == g) {
            params.add(e.getKey());
          }
        }
        if (params.isEmpty()) {
          trainStep.add(name);
        } else {
          String fused = name + "_step";
          methods.add(new Method(fused, kernel(g, params)));
          trainStep.add(fused);
        }
      }
    }
    if (graph.loss() != null) {
      // Every parameter gets a standalone update kernel for runUpdate (the optimizer applied to
      // the gradients already in their buffers); the unfused ones also end runTrainStep.
      for (String p : graph.params().keySet()) {
        String name = "update_" + p;
        methods.add(new Method(name, updateKernel(p)));
        update.add(name);
        if (!fusedInto.containsKey(p)) {
          trainStep.add(name);
        }
      }
    }
  }

  /** The optimizer update of parameter {@code p} from its gradient buffer, on its own. */
  private Kernel updateKernel(String p) {
    Node param = graph.params().get(p);
    List<Stmt> body = update(p, linear(axisVars(param.shape().rank()), param.shape()));
    return new Kernel.Sequence(
        List.of(
            new Kernel.Pointwise(List.of(), OptimizerUpdate.prologue(tg.optimizer()), null),
            new Kernel.Pointwise(
                dims(param.shape()), body, tg.optimizer().displayName() + " " + p)),
        null);
  }

  private Set<Node> rolesOf(java.util.Collection<Node> nodes) {
    return new LinkedHashSet<>(nodes);
  }

  /** The groups computing {@code roots}, and every group they read from, transitively. */
  private Set<Group> closure(Set<Node> roots) {
    Set<Group> out = new TreeSet<>((a, b) -> Integer.compare(a.index, b.index));
    List<Node> work = new ArrayList<>(roots);
    Set<Node> seen = new HashSet<>();
    while (!work.isEmpty()) {
      Node n = work.remove(work.size() - 1);
      if (!seen.add(n)) {
        continue;
      }
      Group g = groupFor(n);
      if (g != null && out.add(g)) {
        work.addAll(g.reads);
      }
      if (mode.get(n) == Mode.INLINE) {
        work.addAll(deps(n));
      }
    }
    return out;
  }

  /** The group that writes {@code n} (for a field with a role, its copy group). */
  private Group groupFor(Node n) {
    Group g = groupOf.get(n);
    if (g != null) {
      return g;
    }
    for (Group c : groups) {
      if (c.kind == Kind.COPY && c.root == n) {
        return c;
      }
    }
    return null;
  }

  /** Parameters whose update can ride on the kernel writing their gradient. */
  private Map<String, Group> fusedUpdates(Set<Group> schedule) {
    Map<String, Group> out = new LinkedHashMap<>();
    if (graph.loss() == null) {
      return out;
    }
    for (Map.Entry<String, Node> e : graph.params().entrySet()) {
      Node g = graph.gradients().get(e.getKey());
      Group writer = groupFor(g);
      if (writer == null || writer.kind == Kind.COPY) {
        continue;
      }
      boolean readLater = false;
      for (Group other : schedule) {
        if (other.index >= writer.index && other.reads.contains(e.getValue())) {
          readLater = true;
        }
      }
      if (!readLater) {
        out.put(e.getKey(), writer);
      }
    }
    return out;
  }

  private List<Stmt> update(String param, Ix index) {
    List<String> state = new ArrayList<>();
    for (String s : tg.optimizer().stateNames()) {
      state.add(stateField(param, s));
    }
    return OptimizerUpdate.element(
        tg.optimizer(), paramField.get(param), gradientField.get(param), state, index);
  }

  /** Stores of {@code n}'s value (in local {@code value}) to its home and its other roles. */
  private List<Stmt> stores(Node n, Fx value, List<Ix> idx, boolean homeAlreadyHolds) {
    List<Stmt> s = new ArrayList<>();
    if (!materialized.contains(n)) {
      return s;
    }
    Ix at = linear(idx, n.shape());
    String h = home.get(n);
    if (!homeAlreadyHolds) {
      s.add(new Stmt.Store(h, at, value));
    }
    for (String role : roleFields.getOrDefault(n, List.of())) {
      if (!role.equals(h)) {
        s.add(new Stmt.Store(role, at, value));
      }
    }
    return s;
  }

  /** Statements updating each of {@code params} whose gradient is {@code n}. */
  private List<Stmt> updatesFor(Node n, List<String> params, List<Ix> idx) {
    List<Stmt> s = new ArrayList<>();
    for (String p : params) {
      if (graph.gradients().get(p) == n) {
        s.addAll(update(p, linear(idx, n.shape())));
      }
    }
    return s;
  }

  private Kernel kernel(Group g, List<String> fusedParams) {
    String note = note(g);
    List<Kernel> parts = new ArrayList<>();
    if (!fusedParams.isEmpty()) {
      parts.add(new Kernel.Pointwise(List.of(), OptimizerUpdate.prologue(tg.optimizer()), null));
    }
    List<Ix> idx = axisVars(g.shape.rank());
    Map<Node, String> locals = new LinkedHashMap<>();
    List<Stmt> epilogue = new ArrayList<>();
    switch (g.kind) {
      case COPY -> {
        epilogue.addAll(stores(g.root, read(g.root, idx), idx, true));
        parts.add(new Kernel.Pointwise(dims(g.shape), epilogue, note));
        return new Kernel.Sequence(parts, note);
      }
      case MATMUL -> {
        locals.put(g.root, "acc");
        boolean holds = materialized.contains(g.root);
        epilogue.addAll(stores(g.root, Fx.local("acc"), idx, holds));
        epilogue.addAll(updatesFor(g.root, fusedParams, idx));
      }
      case REDUCE, CONCAT -> {
        parts.add(rootKernel(g, note));
        epilogue.addAll(stores(g.root, read(g.root, idx), idx, true));
        epilogue.addAll(updatesFor(g.root, fusedParams, idx));
      }
      case POINTWISE -> {}
    }
    for (Node m : g.members) {
      String v = "v" + m.id();
      epilogue.add(new Stmt.Let(v, compute(m, idx, locals)));
      locals.put(m, v);
      epilogue.addAll(stores(m, Fx.local(v), idx, false));
      epilogue.addAll(updatesFor(m, fusedParams, idx));
    }
    if (g.kind == Kind.MATMUL) {
      parts.addAll(matmulKernel(g, epilogue, note));
    } else if (!epilogue.isEmpty() || g.kind == Kind.POINTWISE) {
      parts.add(
          new Kernel.Pointwise(
              dims(g.shape), epilogue, g.kind == Kind.POINTWISE ? note : "epilogue"));
    }
    return parts.size() == 1 ? parts.get(0) : new Kernel.Sequence(parts, note);
  }

  private Kernel rootKernel(Group g, String note) {
    Node root = g.root;
    String out = home.get(root);
    if (root.op() instanceof Concat c) {
      List<Kernel> parts = new ArrayList<>();
      int offset = 0;
      for (Node in : root.inputs()) {
        List<Ix> idx = axisVars(in.shape().rank());
        List<Ix> at = new ArrayList<>(idx);
        at.set(c.axis(), Ix.add(idx.get(c.axis()), offset));
        parts.add(
            new Kernel.Pointwise(
                dims(in.shape()),
                List.of(new Stmt.Store(out, linear(at, root.shape()), read(in, idx))),
                note));
        offset += in.shape().dim(c.axis());
      }
      return new Kernel.Sequence(parts, note);
    }
    Node x = root.input(0);
    List<Integer> axes;
    boolean keep;
    Scalar.BinaryFn op = Scalar.BinaryFn.ADD;
    Fx divisor = null;
    if (root.op() instanceof Sum s) {
      axes = s.axes();
      keep = s.keepdims();
    } else if (root.op() instanceof Mean m) {
      axes = m.axes();
      keep = m.keepdims();
      int count = 1;
      boolean overBatch = false;
      for (int a : axes) {
        if (x.shape().dim(a) == Shape.BATCH) {
          overBatch = true;
        } else {
          count *= x.shape().dim(a);
        }
      }
      divisor = overBatch ? new Fx.OfInt(Ix.mul(Ix.N, count)) : Fx.c(count);
    } else {
      ReduceMax r = (ReduceMax) root.op();
      axes = r.axes();
      keep = r.keepdims();
      op = Scalar.BinaryFn.MAX;
    }
    List<Ix> idx = axisVars(x.shape().rank());
    List<Boolean> reduced = new ArrayList<>();
    List<Ix> outIdx = new ArrayList<>();
    for (int i = 0; i < x.shape().rank(); i++) {
      boolean r = axes.contains(i);
      reduced.add(r);
      if (!r) {
        outIdx.add(idx.get(i));
      } else if (keep) {
        outIdx.add(Ix.ZERO);
      }
    }
    return new Kernel.Reduction(
        dims(x.shape()),
        reduced,
        op,
        read(x, idx),
        divisor,
        out,
        linear(outIdx, root.shape()),
        note);
  }

  private List<Kernel> matmulKernel(Group g, List<Stmt> epilogue, String note) {
    Node root = g.root;
    MatMul mm = (MatMul) root.op();
    Node a = root.input(0);
    Node b = root.input(1);
    Shape as = a.shape();
    Shape bs = b.shape();
    int m = as.dim(mm.transposeA() ? 1 : 0);
    int k = as.dim(mm.transposeA() ? 0 : 1);
    int n = bs.dim(mm.transposeB() ? 0 : 1);
    List<Ix> ik = axisVars(2);
    Fx aExpr = read(a, mm.transposeA() ? List.of(ik.get(1), ik.get(0)) : ik);
    List<Kernel> parts = new ArrayList<>();
    String bBuf;
    String scratch = scratchName.get(root);
    if (scratch != null) {
      List<Ix> kj = axisVars(2);
      Fx bv = read(b, mm.transposeB() ? List.of(kj.get(1), kj.get(0)) : kj);
      Ix at = Ix.add(Ix.mul(kj.get(0), n), kj.get(1));
      parts.add(
          new Kernel.Pointwise(
              List.of(k == Shape.BATCH ? Ix.N : Ix.lit(k), Ix.lit(n)),
              List.of(new Stmt.Store(scratch, at, bv)),
              "op(b) laid out row-major"));
      bBuf = scratch;
    } else {
      bBuf = home.get(b);
    }
    String c = home.get(root);
    if (c == null) {
      for (Node mem : g.members) {
        if (materialized.contains(mem)) {
          c = home.get(mem);
          break;
        }
      }
    }
    if (c == null) {
      throw new IllegalStateException("matmul result stored nowhere: " + root);
    }
    parts.add(
        new Kernel.Matmul(
            m == Shape.BATCH ? Ix.N : Ix.lit(m),
            k == Shape.BATCH ? Ix.N : Ix.lit(k),
            n,
            aExpr,
            bBuf,
            c,
            epilogue,
            note));
    return parts;
  }

  private String note(Group g) {
    Node first = g.root != null ? g.root : g.members.get(0);
    StringBuilder s = new StringBuilder();
    SourceSpan span = first.span();
    if (span != null && span != SourceSpan.SYNTHETIC) {
      s.append(span.file().name()).append(':').append(span.line()).append(' ');
      String text = span.file().text().substring(span.start(), span.end()).strip();
      int nl = text.indexOf('\n');
      if (nl >= 0) {
        text = text.substring(0, nl) + " …";
      }
      if (text.length() > 60) {
        text = text.substring(0, 57) + "…";
      }
      s.append(text).append(": ");
    }
    s.append(g.kind.name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(g.shape);
    for (Node n : g.nodes()) {
      s.append(' ').append(n.op().name());
    }
    String r = s.toString();
    return r.length() > 160 ? r.substring(0, 157) + "…" : r;
  }

  /** Constant fields and their values, for the constructor. */
  Map<String, double[]> constants() {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (Node n : needed) {
      if (n.op() instanceof Constant c) {
        out.put(home.get(n), c.values());
      }
    }
    return out;
  }
}
