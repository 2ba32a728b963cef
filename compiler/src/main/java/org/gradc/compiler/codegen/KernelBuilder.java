package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ops.Transpose;

/**
 * The last stage of the {@link Scheduler}: the {@link Kernel} of one fused group, with element
 * bodies built from each node's {@link OpLowering} over the {@link BufferLayout}'s buffers. A
 * kernel may be built whole, with optimizer updates fused in, or pruned to the nodes an entry point
 * needs.
 */
final class KernelBuilder {
  private final TrainingGraph tg;
  private final FusionPlan plan;
  private final BufferLayout layout;
  private final Map<String, EntryPoint.Role> roleOfField = new LinkedHashMap<>();

  KernelBuilder(TrainingGraph tg, FusionPlan plan, BufferLayout layout) {
    this.tg = tg;
    this.plan = plan;
    this.layout = layout;
    Graph graph = tg.graph();
    for (Node n : graph.outputs().values()) {
      for (String f : layout.roleFields(n)) {
        if (f.startsWith("o_")) {
          roleOfField.put(f, EntryPoint.Role.OUTPUTS);
        }
      }
    }
    for (String p : graph.params().keySet()) {
      if (layout.gradientField(p) != null) {
        roleOfField.put(layout.gradientField(p), EntryPoint.Role.GRADIENTS);
      }
    }
    if (layout.lossField() != null) {
      roleOfField.put(layout.lossField(), EntryPoint.Role.LOSS);
    }
    for (String s : graph.states().keySet()) {
      roleOfField.put(BufferLayout.modelStateField(s), EntryPoint.Role.STATE_UPDATES);
    }
  }

  /**
   * The kernel of {@code g}.
   *
   * @param fusedParams parameters whose optimizer update rides on this kernel (their gradient is
   *     computed here)
   * @param keep the nodes to compute (all of the group's for a whole kernel)
   * @param roles the role buffers it may write besides the homes of the values it stores; {@code
   *     null} for all
   */
  Kernel kernel(
      FusionPlan.Group g,
      List<String> fusedParams,
      Predicate<Node> keep,
      Set<EntryPoint.Role> roles) {
    String note = note(g);
    List<Kernel> parts = new ArrayList<>();
    if (!fusedParams.isEmpty()) {
      parts.add(new Kernel.Pointwise(List.of(), OptimizerUpdate.prologue(tg.optimizer()), null));
    }
    Body body = new Body(roles);
    List<Ix> idx = Indexing.axisVars(g.shape().rank());
    List<LoopStmt> epilogue = new ArrayList<>();
    if (g.copy()) {
      epilogue.addAll(body.stores(g.root(), body.read(g.root(), idx), idx, true));
      parts.add(new Kernel.Pointwise(Indexing.dims(g.shape()), epilogue, note));
      return new Kernel.Sequence(parts, note);
    }
    OpLowering.Root rule = g.rootRule();
    RootContext context = null;
    if (rule != null) {
      context = new RootContext(body, g, note);
      if (rule.fusesEpilogue()) {
        body.locals.put(g.root(), "acc");
        boolean holds = plan.stored(g.root());
        epilogue.addAll(body.stores(g.root(), Fx.local("acc"), idx, holds));
      } else {
        parts.addAll(rule.kernels(g.root(), context, List.of()));
        epilogue.addAll(body.stores(g.root(), body.read(g.root(), idx), idx, true));
      }
      epilogue.addAll(updatesFor(g.root(), fusedParams, idx));
    }
    for (Node m : g.members()) {
      if (!keep.test(m)) {
        continue;
      }
      String v = "v" + m.id();
      epilogue.add(new LoopStmt.Let(v, body.compute(m, idx)));
      body.locals.put(m, v);
      epilogue.addAll(body.stores(m, Fx.local(v), idx, false));
      epilogue.addAll(updatesFor(m, fusedParams, idx));
    }
    if (rule != null && rule.fusesEpilogue()) {
      parts.addAll(rule.kernels(g.root(), context, epilogue));
    } else if (rule == null && transposesTiles(g)) {
      parts.add(tiled(g.shape(), epilogue, note));
    } else if (!epilogue.isEmpty() || rule == null) {
      parts.add(
          new Kernel.Pointwise(
              Indexing.dims(g.shape()), epilogue, rule == null ? note : "epilogue"));
    }
    return parts.size() == 1 ? parts.get(0) : new Kernel.Sequence(parts, note);
  }

  /** The side of a {@link #tiled} block. */
  private static final int TILE = 16;

  /**
   * Whether pointwise group {@code g} transposes a matrix (a weight laid out for the backward's
   * {@code δ Wᵀ}) whose sides are whole tiles: row by row it would read a column of the source per
   * output row, at a stride of a power of two that maps all of the column's lines into a few cache
   * sets, so each read missed L1 (the Names step's {@code Whᵀ}: 88 µs for 256 KB).
   */
  private static boolean transposesTiles(FusionPlan.Group g) {
    Shape s = g.shape();
    if (s.isBatched() || s.rank() != 2 || s.dim(0) % TILE != 0 || s.dim(1) % TILE != 0) {
      return false;
    }
    for (Node m : g.members()) {
      if (m.op() instanceof Transpose && m.shape().rank() == 2) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code element} over the 2-D {@code shape} in {@code TILE × TILE} blocks, row-major inside a
   * block and from block to block: each block reads {@code TILE} lines of the source and writes
   * {@code TILE} of the result. Every element is computed once, by the same statements, so the
   * values are those of the row-by-row loop.
   */
  private static Kernel tiled(Shape shape, List<LoopStmt> element, String note) {
    Ix b0 = Ix.var("b0");
    Ix b1 = Ix.var("b1");
    LoopStmt inner =
        new LoopStmt.For(
            "a0",
            b0,
            Ix.add(b0, TILE),
            1,
            List.of(new LoopStmt.For("a1", b1, Ix.add(b1, TILE), 1, element, null)),
            null);
    LoopStmt blocks =
        new LoopStmt.For(
            "b0",
            Ix.ZERO,
            Ix.lit(shape.dim(0)),
            TILE,
            List.of(
                new LoopStmt.For("b1", Ix.ZERO, Ix.lit(shape.dim(1)), TILE, List.of(inner), null)),
            note);
    return new Kernel.Loops(List.of(blocks), null, note);
  }

  /** The optimizer update of parameter {@code p} from its gradient buffer, on its own. */
  Kernel updateKernel(String p) {
    return new Kernel.Sequence(
        List.of(
            new Kernel.Pointwise(List.of(), OptimizerUpdate.prologue(tg.optimizer()), null),
            wholeUpdate(p)),
        null);
  }

  /** The loop of {@link #updateKernel}: every element of {@code p}, over its shape. */
  private Kernel.Pointwise wholeUpdate(String p) {
    Node param = tg.graph().params().get(p);
    List<LoopStmt> body =
        update(p, Indexing.linear(Indexing.axisVars(param.shape().rank()), param.shape()));
    return new Kernel.Pointwise(
        Indexing.dims(param.shape()), body, tg.optimizer().displayName() + " " + p);
  }

  /**
   * The optimizer update of parts {@code [from, to)} of parameter {@code p}, with {@code n = from *
   * 65536 + to}: elements {@code [bound(from), bound(to))} with {@code bound(q) = floor(q * length
   * / PARTS)} ({@link org.gradc.runtime.Model#updatePartBound}), computed as {@code q * (length /
   * PARTS) + q * (length % PARTS) / PARTS} so that no product leaves int. The element code is the
   * one {@link #updateKernel} runs, one flat loop, so every element gets the same bits.
   */
  Kernel partUpdateKernel(String p) {
    Node param = tg.graph().params().get(p);
    int length = Math.toIntExact(param.shape().size(1));
    List<LoopStmt> range = new ArrayList<>();
    range.add(new LoopStmt.LetInt("u_from", Ix.clamp(Ix.N, PACK, 0, PARTS)));
    range.add(new LoopStmt.LetInt("u_to", Ix.add(Ix.N, Ix.mul(Ix.floor(Ix.N, PACK), -1))));
    range.add(new LoopStmt.LetInt("u_lo", partBound(Ix.var("u_from"), length)));
    range.add(new LoopStmt.LetInt("u_hi", partBound(Ix.var("u_to"), length)));
    range.add(new LoopStmt.LetInt("u_len", Ix.add(Ix.var("u_hi"), Ix.mul(Ix.var("u_lo"), -1))));
    List<LoopStmt> body = update(p, Ix.add(Ix.var("u_lo"), Ix.var("a0")));
    range.addAll(OptimizerUpdate.prologue(tg.optimizer()));
    String note = tg.optimizer().displayName() + " " + p + " (parts)";
    // vector code where the whole update is vector code: a parameter whose whole update the
    // vector back end leaves scalar (too short a last axis) gets plain loops, so a class of tiny
    // layers still has no vector kernel and needs no vector variants
    Kernel loop =
        VectorEmitter.vectorizable(wholeUpdate(p))
            ? new Kernel.Pointwise(List.of(Ix.var("u_len")), body, note)
            : new Kernel.Loops(
                List.of(new LoopStmt.For("a0", Ix.ZERO, Ix.var("u_len"), 1, body, null)),
                null,
                note);
    return new Kernel.Sequence(List.of(new Kernel.Pointwise(List.of(), range, null), loop), null);
  }

  /** {@code Model.UPDATE_PARTS}: how many parts a parameter is divided into. */
  private static final int PARTS = org.gradc.runtime.Model.UPDATE_PARTS;

  /** The multiplier of {@code from} in a packed part range. */
  private static final int PACK = 65536;

  /** {@code floor(q * length / PARTS)} without leaving int ({@code q <= PARTS}). */
  private static Ix partBound(Ix q, int length) {
    return Ix.add(Ix.mul(q, length / PARTS), Ix.clamp(Ix.mul(q, length % PARTS), PARTS, 0, length));
  }

  private List<LoopStmt> update(String param, Ix index) {
    List<String> state = new ArrayList<>();
    for (String s : tg.optimizer().stateNames()) {
      state.add(BufferLayout.stateField(param, s));
    }
    return OptimizerUpdate.element(
        tg.optimizer(), layout.paramField(param), layout.gradientField(param), state, index);
  }

  /** Statements updating each of {@code params} whose gradient is {@code n}. */
  private List<LoopStmt> updatesFor(Node n, List<String> params, List<Ix> idx) {
    List<LoopStmt> s = new ArrayList<>();
    for (String p : params) {
      if (tg.graph().gradients().get(p) == n) {
        s.addAll(update(p, Indexing.linear(idx, n.shape())));
      }
    }
    return s;
  }

  /** Reading and storing values inside one kernel: the locals of its fused loop. */
  private final class Body implements OpLowering.Reads {
    final Map<Node, String> locals = new LinkedHashMap<>();
    private final Set<EntryPoint.Role> roles;

    Body(Set<EntryPoint.Role> roles) {
      this.roles = roles;
    }

    @Override
    public Fx read(Node n, List<Ix> idx) {
      if (plan.stored(n)) {
        Ix at = Indexing.linear(idx, n.shape());
        return n.dtype() == DType.I32
            ? new Fx.OfInt(new Ix.Load(layout.home(n), at))
            : new Fx.Load(layout.home(n), at);
      }
      if (plan.mode(n) == FusionPlan.Mode.COMPUTED) {
        throw new IllegalStateException("read of a value not stored: " + n);
      }
      return new Body(roles).compute(n, idx);
    }

    @Override
    public Ix readInt(Node n, List<Ix> idx) {
      if (n.dtype() != DType.I32) {
        throw new IllegalArgumentException("ids must be int, not " + n);
      }
      if (plan.stored(n)) {
        return new Ix.Load(layout.home(n), Indexing.linear(idx, n.shape()));
      }
      // a view of an int input (x[:, t] is a slice and a reshape): compose the index maps
      if (compute(n, idx) instanceof Fx.OfInt i) {
        return i.value();
      }
      throw new IllegalArgumentException(
          "the code generator indexes only with int inputs and views of them, not with " + n);
    }

    @Override
    public Fx local(Node n) {
      String l = locals.get(n);
      return l == null ? null : Fx.local(l);
    }

    @Override
    public boolean stored(Node n) {
      return plan.stored(n);
    }

    @Override
    public String buffer(Node n) {
      return layout.home(n);
    }

    /** The value of {@code n} at {@code idx} by its definition (its {@link OpLowering}). */
    Fx compute(Node n, List<Ix> idx) {
      if (OpLowerings.of(n.op()) instanceof OpLowering.Element e) {
        return e.at(n, idx, this);
      }
      if (plan.mode(n) == FusionPlan.Mode.FIELD || plan.stored(n)) {
        return read(n, idx);
      }
      throw new IllegalArgumentException("the code generator cannot compute " + n);
    }

    /** Stores of {@code n}'s value to its home and to the role buffers this kernel may write. */
    List<LoopStmt> stores(Node n, Fx value, List<Ix> idx, boolean homeAlreadyHolds) {
      List<LoopStmt> s = new ArrayList<>();
      if (plan.stored(n)) {
        Ix at = Indexing.linear(idx, n.shape());
        String h = layout.home(n);
        if (!homeAlreadyHolds) {
          s.add(new LoopStmt.Store(h, at, value));
        }
        for (String role : layout.roleFields(n)) {
          if (!role.equals(h) && (roles == null || roles.contains(roleOfField.get(role)))) {
            s.add(new LoopStmt.Store(role, at, value));
          }
        }
      }
      for (FusionPlan.ConcatSlot slot : plan.concatSlots(n)) {
        // the concat's home whatever the entry: the concat's kernel no longer copies this part
        s.add(
            new LoopStmt.Store(
                layout.home(slot.concat()),
                Indexing.linear(slot.index(idx), slot.concat().shape()),
                value));
      }
      return s;
    }
  }

  /** What a root's rule sees: the reads of the kernel's body and the group's buffers. */
  private final class RootContext implements OpLowering.Root.Context {
    private final Body body;
    private final FusionPlan.Group group;
    private final String note;

    RootContext(Body body, FusionPlan.Group group, String note) {
      this.body = body;
      this.group = group;
      this.note = note;
    }

    @Override
    public String out() {
      String c = layout.home(group.root());
      if (c == null) {
        // a matmul whose result only its epilogue reads accumulates in a stored member's buffer
        for (Node m : group.members()) {
          if (plan.stored(m)) {
            return layout.home(m);
          }
        }
        throw new IllegalStateException("result stored nowhere: " + group.root());
      }
      return c;
    }

    @Override
    public String scratch(int i) {
      return layout.scratch(group.index()).get(i);
    }

    @Override
    public String note() {
      return note;
    }

    @Override
    public boolean writtenInPlace(Node n, int input) {
      return plan.writtenInPlace(n, input);
    }

    @Override
    public Fx read(Node n, List<Ix> idx) {
      return body.read(n, idx);
    }

    @Override
    public Ix readInt(Node n, List<Ix> idx) {
      return body.readInt(n, idx);
    }

    @Override
    public Fx local(Node n) {
      return body.local(n);
    }

    @Override
    public boolean stored(Node n) {
      return body.stored(n);
    }

    @Override
    public String buffer(Node n) {
      return body.buffer(n);
    }
  }

  /** {@code mlp.grad:12 relu(x @ W1 + b1): matmul [batch, 256] matmul add max}, for dumps. */
  private static String note(FusionPlan.Group g) {
    Node first = g.root() != null ? g.root() : g.members().get(0);
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
    s.append(g.kind()).append(' ').append(g.shape());
    for (Node n : g.nodes()) {
      s.append(' ').append(n.op().name());
    }
    String r = s.toString();
    return r.length() > 160 ? r.substring(0, 157) + "…" : r;
  }
}
