package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.ops.Concat;

/**
 * {@code concat(a, b, axis)}: one pointwise copy per operand, at its offset along the axis, except
 * for operands their own kernel already stored there ({@link FusionPlan.ConcatSlot}).
 */
final class ConcatLowering implements OpLowering.Root {

  @Override
  public String kind() {
    return "concat";
  }

  @Override
  public boolean inlinesOperands() {
    return false;
  }

  @Override
  public List<Kernel> kernels(Node root, Context c, List<LoopStmt> epilogue) {
    Concat concat = (Concat) root.op();
    List<Kernel> parts = new ArrayList<>();
    int offset = 0;
    for (int k = 0; k < root.inputs().size(); k++) {
      Node in = root.input(k);
      if (c.writtenInPlace(root, k)) {
        offset += in.shape().dim(concat.axis());
        continue;
      }
      List<Ix> idx = Indexing.axisVars(in.shape().rank());
      List<Ix> at = new ArrayList<>(idx);
      at.set(concat.axis(), Ix.add(idx.get(concat.axis()), offset));
      parts.add(
          new Kernel.Pointwise(
              Indexing.dims(in.shape()),
              List.of(
                  new LoopStmt.Store(c.out(), Indexing.linear(at, root.shape()), c.read(in, idx))),
              c.note()));
      offset += in.shape().dim(concat.axis());
    }
    return List.of(new Kernel.Sequence(parts, c.note()));
  }
}
