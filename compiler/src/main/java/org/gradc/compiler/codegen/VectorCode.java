package org.gradc.compiler.codegen;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.gradc.compiler.codegen.vector.VectorCalls;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * A kernel method as the {@link VectorBackend} lowered it: parts run in order, each either vector
 * code (a matmul micro-kernel, a vectorized pointwise loop) or the scalar back end's loops. One
 * {@link LoopEmitter} serves the whole method, so buffers are hoisted once and scalar and vector
 * parts share its locals.
 */
final class VectorCode implements KernelCode {

  /** One part of the method: how it emits itself, and the buffers it reads or writes. */
  sealed interface Part {
    void emit(LoopEmitter le, VectorEmitter ve);

    void arrays(Set<String> out);
  }

  /** Loops from the scalar back end. */
  record ScalarPart(List<LoopStmt> body) implements Part {
    @Override
    public void emit(LoopEmitter le, VectorEmitter ve) {
      for (LoopStmt st : body) {
        le.stmt(st);
      }
    }

    @Override
    public void arrays(Set<String> out) {
      out.addAll(LoopStmts.arrays(body));
    }
  }

  record MatmulPart(Kernel.Matmul kernel) implements Part {
    @Override
    public void emit(LoopEmitter le, VectorEmitter ve) {
      ve.matmul(kernel);
    }

    @Override
    public void arrays(Set<String> out) {
      out.addAll(LoopStmts.arrays(List.of(new LoopStmt.Let("a", kernel.a()))));
      out.add(kernel.b());
      out.add(kernel.c());
      out.addAll(LoopStmts.arrays(kernel.epilogue()));
    }
  }

  /**
   * A convolution pass: {@link ConvTiles} for the channels that fill whole vectors, then the scalar
   * window loops for the rest (all of them when not one vector fills).
   */
  record ConvPart(ConvTiles tiles, List<LoopStmt> loops, String note, UnrollPolicy policy)
      implements Part {
    /** The first channel the scalar loops compute, with {@code lanes} lanes. */
    int from(int lanes) {
      return tiles.vectorExtent() / lanes * lanes;
    }

    /** The scalar loops for the channels from {@link #from}, or none when the tiles do them all. */
    List<LoopStmt> rest(int lanes) {
      int from = from(lanes);
      if (from == tiles.vectorExtent()) {
        return List.of();
      }
      List<LoopStmt> out = new java.util.ArrayList<>();
      out.add(new LoopStmt.Comment(note));
      out.addAll(Subst.ints(java.util.Map.of(ConvTiles.FROM, Ix.lit(from))).stmts(loops));
      return out;
    }

    @Override
    public void emit(LoopEmitter le, VectorEmitter ve) {
      if (from(ve.lanes()) > 0) {
        ve.conv(tiles);
      }
      for (LoopStmt st : rest(ve.lanes())) {
        le.stmt(st);
      }
    }

    @Override
    public void arrays(Set<String> out) {
      out.add(tiles.a());
      out.add(tiles.b());
      out.add(tiles.c());
      out.addAll(LoopStmts.arrays(loops));
    }
  }

  record PointwisePart(Kernel.Pointwise kernel) implements Part {
    @Override
    public void emit(LoopEmitter le, VectorEmitter ve) {
      ve.pointwise(kernel);
    }

    @Override
    public void arrays(Set<String> out) {
      out.addAll(LoopStmts.arrays(kernel.element()));
    }
  }

  /** A row reduction in lane accumulators ({@link VectorEmitter#reduction}). */
  record ReductionPart(Kernel.Reduction kernel) implements Part {
    @Override
    public void emit(LoopEmitter le, VectorEmitter ve) {
      ve.reduction(kernel);
    }

    @Override
    public void arrays(Set<String> out) {
      out.addAll(
          LoopStmts.arrays(
              List.of(new LoopStmt.Store(kernel.out(), kernel.outIndex(), kernel.element()))));
    }
  }

  private final List<Part> parts;
  private final VectorBackend backend;
  private final UnrollPolicy policy;

  VectorCode(List<Part> parts, VectorBackend backend, UnrollPolicy policy) {
    this.parts = List.copyOf(parts);
    this.backend = backend;
    this.policy = policy;
  }

  List<Part> parts() {
    return parts;
  }

  /** The Vector API vocabulary the code is written in, for precision {@code p}. */
  VectorCalls calls(Precision p) {
    return new VectorCalls(p == Precision.F64, backend.lanes(p));
  }

  @Override
  public void emit(MethodVisitor mv, EmitContext c) {
    Precision p = c.precision();
    LoopEmitter le = new LoopEmitter(mv, c.owner(), p, c.fma(), c::descriptor, c.nested());
    le.hoist(arrays());
    VectorEmitter ve = new VectorEmitter(mv, le, calls(p), p, c.fma(), policy, c);
    int split = c.rows() == null ? -1 : RowSplit.part(parts);
    Kernel.Matmul splitting = split < 0 ? null : ((MatmulPart) parts.get(split)).kernel();
    Integer grain = splitting == null ? null : ve.rowGrain(splitting);
    String rows = RowSplit.rowsMethod(c.method());
    for (int at = 0; at < parts.size(); at++) {
      if (at == split && grain != null) {
        RowSplit.fork(mv, le, splitting, c.rows().add(rows), grain);
      }
      parts.get(at).emit(le, ve);
    }
    mv.visitInsn(Opcodes.RETURN);
    if (grain != null) {
      writeRows(rows, ve, split, c);
    }
  }

  /**
   * The rows method {@code rows(n, lo, hi)} of this kernel ({@link RowSplit}): the lets of the
   * parts before {@code split} again, then the matmul {@code split} over rows {@code [lo, hi)}.
   */
  private void writeRows(String rows, VectorEmitter ve, int split, EmitContext c) {
    BlockMethods methods = ve.blockMethods();
    MethodVisitor mv = methods.open(rows, "I");
    LoopEmitter le = methods.loopEmitter(mv);
    le.slot("$lo", 1); // the parameters after the model (0) and n (1), in descriptor order
    le.slot("$hi", 1);
    le.hoist(arrays());
    for (Part part : parts.subList(0, split)) {
      part.emit(le, null);
    }
    ve.sibling(mv, le).matmulRows(((MatmulPart) parts.get(split)).kernel());
    mv.visitInsn(Opcodes.RETURN);
    mv.visitMaxs(0, 0);
    mv.visitEnd();
  }

  private Set<String> arrays() {
    Set<String> out = new LinkedHashSet<>();
    for (Part part : parts) {
      part.arrays(out);
    }
    return out;
  }

  @Override
  public String render(Precision precision, int indent) {
    int lanes = backend.lanes(precision);
    String vec = (precision == Precision.F32 ? "FloatVector" : "DoubleVector") + " x" + lanes;
    StringBuilder out = new StringBuilder();
    String pad = "  ".repeat(indent);
    for (Part part : parts) {
      if (part instanceof ScalarPart s) {
        out.append(LoopPrinter.render(s.body(), precision, indent));
      } else if (part instanceof MatmulPart m) {
        Kernel.Matmul k = m.kernel();
        VectorEmitter.Blocking b =
            VectorEmitter.blockingHere(
                k.n(), lanes, lanes * (precision == Precision.F64 ? 64 : 32), policy);
        out.append(pad)
            .append("// ")
            .append(k.note() == null ? "" : k.note())
            .append('\n')
            .append(pad)
            .append("// vector matmul (")
            .append(vec)
            .append("): ")
            .append(k.c())
            .append("[m, ")
            .append(k.n())
            .append("] = a(i, k) @ ")
            .append(k.b())
            .append("[k, ")
            .append(k.n())
            .append("], m = ")
            .append(LoopPrinter.ix(k.m()))
            .append(", k = ")
            .append(LoopPrinter.ix(k.k()))
            .append(", ")
            .append(b)
            .append(singleRowSplit(b, lanes * (precision == Precision.F64 ? 64 : 32)))
            .append(
                VectorEmitter.contractsStackedRows(k, b)
                    ? ", over k in packed panels of " + VectorEmitter.K_BLOCK + " rows"
                    : "")
            .append('\n')
            .append(
                LoopPrinter.render(List.of(new LoopStmt.Let("a_ik", k.a())), precision, indent + 1))
            .append(pad)
            .append("//   epilogue per (a0 = i, a1 = j), ")
            .append(VectorEmitter.vectorizable(k.epilogue()) ? "vectorized" : "scalar")
            .append(":\n")
            .append(LoopPrinter.render(k.epilogue(), precision, indent + 1));
      } else if (part instanceof ConvPart cp) {
        ConvTiles t = cp.tiles();
        int from = cp.from(lanes);
        out.append(pad).append("// ").append(cp.note() == null ? "" : cp.note()).append('\n');
        if (from > 0) {
          out.append(pad)
              .append("// vector conv tiles (")
              .append(vec)
              .append("), ")
              .append(t.pass().name().toLowerCase(java.util.Locale.ROOT))
              .append(": ")
              .append(t.c())
              .append(" from ")
              .append(t.a())
              .append(" (broadcast) and ")
              .append(t.b())
              .append(" (vectors), channels [0, ")
              .append(from)
              .append("), ")
              .append(ConvEmitter.describe(t, lanes, precision, policy))
              .append('\n');
        }
        out.append(LoopPrinter.render(cp.rest(lanes), precision, indent));
      } else if (part instanceof ReductionPart rp) {
        Kernel.Reduction k = rp.kernel();
        out.append(pad)
            .append("// ")
            .append(k.note() == null ? "" : k.note())
            .append('\n')
            .append(pad)
            .append("// vector row reduction (")
            .append(vec)
            .append(", ")
            .append(k.op().name().toLowerCase(java.util.Locale.ROOT))
            .append(" in lane accumulators, then across lanes, scalar tail) over the last axis of ")
            .append(k.dims().stream().map(LoopPrinter::ix).toList())
            .append(" into ")
            .append(k.out())
            .append(k.divisor() == null ? "" : ", divided")
            .append('\n')
            .append(
                LoopPrinter.render(
                    List.of(new LoopStmt.Let("element", k.element())), precision, indent + 1));
      } else if (part instanceof PointwisePart pp) {
        Kernel.Pointwise k = pp.kernel();
        out.append(pad)
            .append("// vector loop (")
            .append(vec)
            .append(") over the last axis of ")
            .append(k.dims().stream().map(LoopPrinter::ix).toList())
            .append(", scalar tail: ")
            .append(k.note() == null ? "" : k.note())
            .append('\n')
            .append(LoopPrinter.render(k.element(), precision, indent + 1));
      }
    }
    return out.toString();
  }

  /** The dump's note on a single row's k loop split into partial sums, if it is. */
  private String singleRowSplit(VectorEmitter.Blocking b, int bits) {
    int split =
        VectorEmitter.rowSplit(
            b, VectorEmitter.registers(System.getProperty("os.arch"), bits), policy);
    return split > 1 ? ", a single row's k in " + split + " partial sums" : "";
  }
}
