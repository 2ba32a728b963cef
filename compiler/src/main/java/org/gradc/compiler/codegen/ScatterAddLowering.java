package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.ir.Node;

/**
 * {@code scatter_add(ids, values, rows)}, the embedding's table gradient: the table-shaped result
 * is zeroed, then each row of {@code values} is added into row {@code ids[i]}, in index order (so
 * repeated ids sum the same way on every run and every back end). Two pointwise loops; the second
 * stores at an index read from {@code ids}, contiguous along the row, so a back end may still
 * vectorize it along the row.
 */
final class ScatterAddLowering implements OpLowering.Root {

  @Override
  public String kind() {
    return "scatter";
  }

  @Override
  public List<Kernel> kernels(Node root, Context c, List<LoopStmt> epilogue) {
    Node ids = root.input(0);
    Node values = root.input(1);
    List<Ix> all = Indexing.axisVars(root.shape().rank());
    Kernel zero =
        new Kernel.Pointwise(
            Indexing.dims(root.shape()),
            List.of(new LoopStmt.Store(c.out(), Indexing.linear(all, root.shape()), Fx.c(0))),
            c.note());
    List<Ix> idx = Indexing.axisVars(values.shape().rank());
    int last = idx.size() - 1;
    Ix id = c.readInt(ids, idx.subList(0, last));
    Ix at = Indexing.linear(List.of(id, idx.get(last)), root.shape());
    List<LoopStmt> add = new ArrayList<>();
    add.add(new LoopStmt.Store(c.out(), at, Fx.add(new Fx.Load(c.out(), at), c.read(values, idx))));
    Kernel scatter = new Kernel.Pointwise(Indexing.dims(values.shape()), add, c.note());
    return List.of(new Kernel.Sequence(List.of(zero, scatter), c.note()));
  }
}
