package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
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
    int k = bs.dim(mm.transposeB() ? 1 : 0);
    int n = bs.dim(mm.transposeB() ? 0 : 1);
    boolean batched = k == Shape.BATCH;
    return List.of(new Scratch(batched, batched ? n : k * n));
  }

  @Override
  public List<Kernel> kernels(Node root, Context c, List<LoopStmt> epilogue) {
    MatMul mm = (MatMul) root.op();
    Node a = root.input(0);
    Node b = root.input(1);
    Shape as = a.shape();
    Shape bs = b.shape();
    int m = as.dim(mm.transposeA() ? 1 : 0);
    int k = as.dim(mm.transposeA() ? 0 : 1);
    int n = bs.dim(mm.transposeB() ? 0 : 1);
    List<Ix> ik = Indexing.axisVars(2);
    Fx aExpr = c.read(a, mm.transposeA() ? List.of(ik.get(1), ik.get(0)) : ik);
    List<Kernel> parts = new ArrayList<>();
    String bBuf;
    if (!scratch(root, c::stored).isEmpty()) {
      List<Ix> kj = Indexing.axisVars(2);
      Fx bv = c.read(b, mm.transposeB() ? List.of(kj.get(1), kj.get(0)) : kj);
      Ix at = Ix.add(Ix.mul(kj.get(0), n), kj.get(1));
      bBuf = c.scratch(0);
      parts.add(
          new Kernel.Pointwise(
              List.of(Indexing.extent(k), Ix.lit(n)),
              List.of(new LoopStmt.Store(bBuf, at, bv)),
              "op(b) laid out row-major"));
    } else {
      bBuf = c.buffer(b);
    }
    parts.add(
        new Kernel.Matmul(
            Indexing.extent(m), Indexing.extent(k), n, aExpr, bBuf, c.out(), epilogue, c.note()));
    return parts;
  }
}
