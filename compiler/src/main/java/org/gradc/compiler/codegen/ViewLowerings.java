package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Op;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ops.DropoutMask;
import org.gradc.compiler.ir.ops.Slice;
import org.gradc.compiler.ir.ops.Transpose;

/**
 * The rules of the ops that compute nothing: each reads its input at a transformed index (views),
 * or is a formula of the index itself (one-hot, the batch size); an embedding reads its table's row
 * at an id. The scheduler inlines them where they are read, so {@code transpose(x)} costs no copy.
 */
final class ViewLowerings {
  private ViewLowerings() {}

  /** A view's rule from its index map. */
  private record View(At at, Predicate<Node> flat, boolean uniform) implements OpLowering.Element {
    @Override
    public Fx at(Node n, List<Ix> idx, Reads r) {
      return at.at(n, idx, r);
    }

    @Override
    public boolean view() {
      return true;
    }

    @Override
    public boolean readsInputFlat(Node n) {
      return flat.test(n);
    }
  }

  @FunctionalInterface
  private interface At {
    Fx at(Node n, List<Ix> idx, OpLowering.Reads r);
  }

  private static OpLowering.Element view(At at) {
    return new View(at, n -> false, false);
  }

  /** A view whose index map reads its op's attributes. */
  @FunctionalInterface
  private interface OfOp<O extends Op> {
    Fx at(O op, Node n, List<Ix> idx, OpLowering.Reads r);
  }

  private static <O extends Op> OpLowering.Element view(Class<O> type, OfOp<O> at) {
    return view((n, idx, r) -> at.at(type.cast(n.op()), n, idx, r));
  }

  /** {@code batch_size()}: the kernel's {@code n}. */
  static final OpLowering.Element BATCH_SIZE =
      new View((n, idx, r) -> new Fx.OfInt(Ix.N), n -> false, true);

  /**
   * A dropout mask: the generator's factor at the element's global index, recomputed wherever it is
   * read (so the backward pass multiplies by the very mask of the forward pass).
   */
  static final OpLowering.Element DROPOUT_MASK =
      view(
          DropoutMask.class,
          (op, n, idx, r) -> {
            Shape s = n.shape();
            boolean batched = s.isBatched();
            int rowSize = (int) s.rowSize();
            Ix row = batched ? idx.get(0) : Ix.lit(0);
            Ix index = Indexing.linear(batched ? idx.subList(1, idx.size()) : idx, rowShape(s));
            return new Fx.Dropout(op.key(), op.rate(), row, rowSize, index);
          });

  private static Shape rowShape(Shape s) {
    if (!s.isBatched()) {
      return s;
    }
    int[] d = new int[s.rank() - 1];
    for (int i = 1; i < s.rank(); i++) {
      d[i - 1] = s.dim(i);
    }
    return Shape.of(d);
  }

  /** {@code one_hot(labels)[..., c] = labels[...] == c}. */
  static final OpLowering.Element ONE_HOT =
      view(
          (n, idx, r) -> {
            Ix label = r.readInt(n.input(0), idx.subList(0, idx.size() - 1));
            Fx hit =
                Fx.bin(
                    Scalar.BinaryFn.EQ, new Fx.OfInt(label), new Fx.OfInt(idx.get(idx.size() - 1)));
            return new Fx.Select(hit, Fx.c(1), Fx.c(0));
          });

  /** {@code gather(x, labels)[...] = x[..., labels[...]]}. */
  static final OpLowering.Element GATHER =
      view(
          (n, idx, r) -> {
            List<Ix> at = new ArrayList<>(idx);
            at.add(r.readInt(n.input(1), idx));
            return r.read(n.input(0), at);
          });

  /**
   * {@code embedding(table, ids)[..., d] = table[ids[...], d]}: a row gather, read in place (the
   * ids are range-checked when fed, see {@code ir.IdBounds}).
   */
  static final OpLowering.Element EMBEDDING =
      view(
          (n, idx, r) -> {
            int last = idx.size() - 1;
            Ix id = r.readInt(n.input(1), idx.subList(0, last));
            return r.read(n.input(0), List.of(id, idx.get(last)));
          });

  /** {@code transpose(x, perm)[i] = x[i permuted back]}. */
  static final OpLowering.Element TRANSPOSE =
      view(
          Transpose.class,
          (t, n, idx, r) -> {
            Ix[] at = new Ix[idx.size()];
            for (int i = 0; i < idx.size(); i++) {
              at[t.perm().get(i)] = idx.get(i);
            }
            return r.read(n.input(0), List.of(at));
          });

  /** {@code slice(x, axis, start, end)}: the index shifted by {@code start} along the axis. */
  static final OpLowering.Element SLICE =
      view(
          Slice.class,
          (s, n, idx, r) -> {
            List<Ix> at = new ArrayList<>(idx);
            at.set(s.axis(), Ix.add(idx.get(s.axis()), s.start()));
            return r.read(n.input(0), at);
          });

  /**
   * {@code reshape(x)}: the same flat offset in x's buffer, which is why the scheduler stores every
   * value such a reshape reads (an index-free value, a fill, reads the same everywhere). A reshape
   * that only drops or inserts axes of extent 1 ({@code x[:, t]} is a slice and such a reshape)
   * maps the index axis by axis instead, so its input need not be stored: an int view of an int
   * input stays a view, readable as ids.
   */
  static final OpLowering.Element RESHAPE =
      new View(
          (n, idx, r) -> {
            Node in = n.input(0);
            List<Ix> unit = unitAxesIndex(n, idx);
            if (unit != null) {
              return r.read(in, unit);
            }
            if (r.stored(in)) {
              Ix flat = Indexing.linear(idx, n.shape());
              return in.dtype() == DType.I32
                  ? new Fx.OfInt(new Ix.Load(r.buffer(in), flat))
                  : new Fx.Load(r.buffer(in), flat);
            }
            return r.read(in, Indexing.zeros(in.shape().rank()));
          },
          n -> unitAxesIndex(n, Indexing.axisVars(n.shape().rank())) == null,
          false);

  /**
   * The index into a reshape's input for {@code idx} of its output when the two shapes differ only
   * by axes of extent 1; otherwise {@code null}.
   */
  private static List<Ix> unitAxesIndex(Node n, List<Ix> idx) {
    return unitAxesIndex(n.shape(), n.input(0).shape(), idx);
  }

  /**
   * The index in shape {@code to} of element {@code idx} of shape {@code from}, when the two differ
   * only by axes of extent 1 (so the element has the same flat offset in both); otherwise {@code
   * null}.
   */
  static List<Ix> unitAxesIndex(Shape from, Shape to, List<Ix> idx) {
    List<Ix> at = new ArrayList<>();
    int o = 0;
    for (int k = 0; k < to.rank(); k++) {
      if (to.dim(k) == 1) {
        at.add(Ix.ZERO);
        continue;
      }
      while (o < from.rank() && from.dim(o) == 1) {
        o++;
      }
      if (o == from.rank() || from.dim(o) != to.dim(k)) {
        return null;
      }
      at.add(idx.get(o++));
    }
    while (o < from.rank()) {
      if (from.dim(o++) != 1) {
        return null;
      }
    }
    return at;
  }
}
