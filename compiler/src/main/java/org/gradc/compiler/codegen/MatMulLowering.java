package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ops.MatMul;

/**
 * {@code matmul(a, b)} with its transpose flags: a {@link Kernel.Matmul} whose {@code a} operand is
 * any index expression (a transposed {@code a}, {@code xᵀ @ δ}, is read in place), and whose {@code
 * b} must be a row-major buffer: a transposed or unstored {@code b} is first laid out into a
 * scratch buffer ({@code K·N} copies against {@code M·K·N} multiply-adds). The elementwise epilogue
 * runs per block of output rows, inside the kernel, while they are in cache.
 *
 * <p>Stacked rows ({@link MatMul}: an operand of rank above 2 is its leading axes flattened into
 * rows) are the same kernel with {@code m} or {@code k} the product of those extents ({@code n·T}
 * for {@code [batch, T, k]}); a stored stacked operand is read at its flat row-major index, which
 * is the matrix's, and an epilogue written over the result's axes gets them back from the flat row.
 */
final class MatMulLowering implements OpLowering.Root {

  @Override
  public String kind() {
    return "matmul";
  }

  @Override
  public boolean fusesEpilogue() {
    return true;
  }

  @Override
  public boolean readsStored(Node root, Node operand) {
    return operand == root.input(1) && !((MatMul) root.op()).transposeB();
  }

  @Override
  public List<Scratch> scratch(Node root, Predicate<Node> stored) {
    MatMul mm = (MatMul) root.op();
    Node b = root.input(1);
    if (!mm.transposeB() && stored.test(b)) {
      return List.of();
    }
    Shape bs = b.shape();
    if (bs.isBatched()) {
      return List.of(new Scratch(true, (int) bs.rowSize()));
    }
    return List.of(new Scratch(false, (int) bs.size(1)));
  }

  @Override
  public List<Kernel> kernels(Node root, Context c, List<LoopStmt> epilogue) {
    MatMul mm = (MatMul) root.op();
    Node a = root.input(0);
    Node b = root.input(1);
    Shape as = a.shape();
    Shape bs = b.shape();
    Ix rowsA = rows(as);
    Ix colsA = Indexing.extent(as.dim(as.rank() - 1));
    Ix m = mm.transposeA() ? colsA : rowsA;
    Ix k = mm.transposeA() ? rowsA : colsA;
    int n = bs.dim(mm.transposeB() ? 0 : bs.rank() - 1);
    List<Ix> ik = Indexing.axisVars(2);
    // (row, column) of a as a matrix
    List<Ix> aAt = mm.transposeA() ? List.of(ik.get(1), ik.get(0)) : ik;
    Fx aExpr = matrixRead(c, a, aAt.get(0), aAt.get(1));
    List<Kernel> parts = new ArrayList<>();
    String bBuf;
    if (!scratch(root, c::stored).isEmpty()) {
      List<Ix> kj = Indexing.axisVars(2);
      List<Ix> bAt = mm.transposeB() ? List.of(kj.get(1), kj.get(0)) : kj;
      Fx bv = matrixRead(c, b, bAt.get(0), bAt.get(1));
      Ix at = Ix.add(Ix.mul(kj.get(0), n), kj.get(1));
      bBuf = c.scratch(0);
      parts.add(
          new Kernel.Pointwise(
              List.of(k, Ix.lit(n)),
              List.of(new LoopStmt.Store(bBuf, at, bv)),
              "op(b) laid out row-major"));
    } else {
      bBuf = c.buffer(b);
    }
    Shape out = root.shape();
    List<LoopStmt> body = out.rank() == 2 ? epilogue : matrixEpilogue(out, n, epilogue);
    parts.add(new Kernel.Matmul(m, k, n, aExpr, bBuf, c.out(), body, c.note()));
    return parts;
  }

  /**
   * An epilogue written over a stacked result's axes, over the kernel's {@code (row, column)}
   * instead: a store at the result's own row-major position becomes the flat {@code row·n + column}
   * (so the raw store stays recognizable as one), other indices get the axes back from the row.
   */
  private static List<LoopStmt> matrixEpilogue(Shape out, int n, List<LoopStmt> epilogue) {
    Ix own = Indexing.linear(Indexing.axisVars(out.rank()), out);
    Ix flat = Ix.add(Ix.mul(Ix.var("a0"), n), Ix.var("a1"));
    Subst axes = Subst.ints(rowAxes(out, Ix.var("a0"), "a1"));
    List<LoopStmt> body = new ArrayList<>(epilogue.size());
    for (LoopStmt s : epilogue) {
      body.add(
          s instanceof LoopStmt.Store st && st.index().equals(own)
              ? new LoopStmt.Store(st.array(), flat, axes.fx(st.value()))
              : axes.stmt(s));
    }
    return body;
  }

  /** The number of rows of {@code s} as a matrix: the product of its leading extents. */
  private static Ix rows(Shape s) {
    int constant = 1;
    for (int i = s.isBatched() ? 1 : 0; i < s.rank() - 1; i++) {
      constant *= s.dim(i);
    }
    return s.isBatched() ? Ix.mul(Ix.N, constant) : Ix.lit(constant);
  }

  /**
   * Element {@code (row, col)} of {@code x} as a matrix: a plain read for a 2-D {@code x}; for a
   * stacked one, a load at the flat index when it is stored, else the read at the axes the row
   * stands for.
   */
  private static Fx matrixRead(Context c, Node x, Ix row, Ix col) {
    Shape s = x.shape();
    if (s.rank() == 2) {
      return c.read(x, List.of(row, col));
    }
    if (c.stored(x)) {
      return new Fx.Load(c.buffer(x), Ix.add(Ix.mul(row, s.dim(s.rank() - 1)), col));
    }
    List<Ix> idx = new ArrayList<>(unflatten(s, row));
    idx.add(col);
    return c.read(x, idx);
  }

  /**
   * The index map from {@code out}'s axes ({@code a0 … a(r-1)}) to the kernel's flat row {@code
   * row} and column variable {@code col}.
   */
  private static Map<String, Ix> rowAxes(Shape out, Ix row, String col) {
    Map<String, Ix> map = new HashMap<>();
    List<Ix> lead = unflatten(out, row);
    for (int i = 0; i < lead.size(); i++) {
      map.put("a" + i, lead.get(i));
    }
    map.put("a" + (out.rank() - 1), Ix.var(col));
    return map;
  }

  /** The indices of {@code s}'s leading axes (all but the last) at flat row {@code row}. */
  private static List<Ix> unflatten(Shape s, Ix row) {
    int lead = s.rank() - 1;
    List<Ix> idx = new ArrayList<>(lead);
    int stride = 1;
    Ix[] at = new Ix[lead];
    for (int i = lead - 1; i >= 0; i--) {
      Ix q = stride == 1 ? row : Ix.clamp(row, stride, 0, Integer.MAX_VALUE);
      // q mod extent; the leading axis needs no mod
      at[i] = i == 0 ? q : Ix.add(q, Ix.mul(Ix.floor(q, s.dim(i)), -1));
      if (i > 0) {
        stride *= s.dim(i);
      }
    }
    for (Ix x : at) {
      idx.add(x);
    }
    return idx;
  }
}
