package org.gradc.compiler.opt;

import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.ir.Elementwise;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Op;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Add;
import org.gradc.compiler.ir.ops.BroadcastTo;
import org.gradc.compiler.ir.ops.Concat;
import org.gradc.compiler.ir.ops.Div;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.compiler.ir.ops.Exp;
import org.gradc.compiler.ir.ops.Fill;
import org.gradc.compiler.ir.ops.Log;
import org.gradc.compiler.ir.ops.MatMul;
import org.gradc.compiler.ir.ops.Mul;
import org.gradc.compiler.ir.ops.Neg;
import org.gradc.compiler.ir.ops.OneHot;
import org.gradc.compiler.ir.ops.Pow;
import org.gradc.compiler.ir.ops.Reshape;
import org.gradc.compiler.ir.ops.Sub;
import org.gradc.compiler.ir.ops.Sum;
import org.gradc.compiler.ir.ops.Transpose;
import org.gradc.compiler.ir.ops.Where;

/**
 * Algebraic simplification, one local rule at a time, each exact in real arithmetic and at most a
 * rounding away in floating point:
 *
 * <ul>
 *   <li>{@code x + 0 → x}, {@code x − 0 → x}, {@code 0 − x → −x}, {@code x + (−y) → x − y}, {@code
 *       x − (−y) → x + y}
 *   <li>{@code x · 1 → x}, {@code x · (−1) → −x}, {@code x / 1 → x}, {@code (−x)·(−y) → x·y}
 *   <li>{@code −(−x) → x}, {@code log(exp x) → x}
 *   <li>{@code x^1 → x}, {@code x^0 → 1}, {@code x^2 → x·x}
 *   <li>{@code where(m, x, x) → x}; {@code where} with a constant mask picks its branch
 *   <li>{@code transpose(transpose x)} → one transpose, or {@code x}; reshape of a reshape → one
 *       reshape; broadcast of a broadcast → one broadcast
 *   <li>{@code sum(broadcast_to(x))} over broadcast axes only → {@code x · count}
 *   <li>{@code sum(x ⊙ one_hot(y), last axis) → gather(x, y)}, and {@code x} itself when it is
 *       constant along that axis (a one-hot row sums to 1); {@code sum(−x) → −sum(x)}
 *   <li>an elementwise op reading {@code broadcast_to(x)} reads {@code x} instead when its own
 *       broadcasting gives the same result type (the code generator then never materializes the
 *       broadcast)
 *   <li>{@code concat(x, 0) + concat(0, y) → concat(x, y)}: a sum of concats along one axis where,
 *       at every position, at most one operand is not a zero fill (the cotangent of a tensor read
 *       through disjoint slices, as an LSTM's four gates of {@code z}: each slice's VJP pads its
 *       cotangent with zeros); the code generator then stores each part straight into the joined
 *       buffer instead of zeroing padded copies and adding them
 *   <li>{@code −(c / x) → (−c) / x} and {@code −(c · x) → (−c) · x} for a constant fill {@code c}
 *   <li>{@code op(a) @ bᵀ} (the transpose flag) → {@code op(a) @ transpose(b)}: CSE then shares one
 *       transpose among every product that reads {@code b} transposed, where backpropagation
 *       through time reads each weight transposed once per step, and the code generator lays out
 *       the shared transpose once instead of per product
 * </ul>
 *
 * A rule whose result would have another type than the node (a neutral element that broadcast the
 * other operand) broadcasts the result back. Rules see already-simplified inputs, so one pass
 * simplifies chains; the pipeline repeats passes to a fixed point.
 */
public final class Simplify implements Pass {

  @Override
  public String name() {
    return "simplify";
  }

  @Override
  public Graph run(Graph g) {
    return Rewriter.rebuild(
        g,
        (b, n, inputs) -> {
          Node s = simplify(b.at(n), n.op(), inputs, n);
          if (s == null) {
            s = unbroadcastOperands(b.at(n), n, inputs);
          }
          return s != null ? fit(b.at(n), s, n) : b.copy(n, inputs);
        });
  }

  /**
   * {@code s} with {@code n}'s shape: broadcast back (a neutral element that had broadcast the
   * other operand), or reshaped when only extent-1 axes differ (a kept reduced axis).
   */
  private static Node fit(Emit e, Node s, Node n) throws ShapeError {
    if (s.shape().equals(n.shape())) {
      return s;
    }
    Shape a = s.shape();
    Shape b = n.shape();
    if (a.isBatched() == b.isBatched() && a.rowSize() == b.rowSize() && a.rank() != b.rank()) {
      return e.reshape(s, b);
    }
    return e.broadcastTo(s, b);
  }

  private static boolean isFill(Node n, double v) {
    return n.op() instanceof Fill f && Double.compare(f.value(), v) == 0;
  }

  /** The simpler node for {@code op(in)}, or null when no rule applies. */
  private static Node simplify(Emit e, Op op, List<Node> in, Node n) throws ShapeError {
    Node a = in.isEmpty() ? null : in.get(0);
    Node c = in.size() < 2 ? null : in.get(1);
    if (op instanceof Add) {
      if (isFill(c, 0) || isFill(c, -0.0)) {
        return a;
      }
      if (isFill(a, 0) || isFill(a, -0.0)) {
        return c;
      }
      if (c.op() instanceof Neg) {
        return e.sub(a, c.input(0));
      }
      if (a.op() instanceof Neg) {
        return e.sub(c, a.input(0));
      }
      if (a.op() instanceof Concat ca && c.op() instanceof Concat cc && ca.axis() == cc.axis()) {
        return sumOfDisjointConcats(e, ca.axis(), a, c, n);
      }
    } else if (op instanceof Sub) {
      if (isFill(c, 0)) {
        return a;
      }
      if (isFill(a, 0)) {
        return e.neg(c);
      }
      if (c.op() instanceof Neg) {
        return e.add(a, c.input(0));
      }
    } else if (op instanceof Mul) {
      if (isFill(c, 1)) {
        return a;
      }
      if (isFill(a, 1)) {
        return c;
      }
      if (isFill(c, -1)) {
        return e.neg(a);
      }
      if (isFill(a, -1)) {
        return e.neg(c);
      }
      if (a.op() instanceof Neg && c.op() instanceof Neg) {
        return e.mul(a.input(0), c.input(0));
      }
    } else if (op instanceof Div) {
      if (isFill(c, 1)) {
        return a;
      }
    } else if (op instanceof Neg) {
      if (a.op() instanceof Neg) {
        return a.input(0);
      }
      if ((a.op() instanceof Div || a.op() instanceof Mul) && a.input(0).op() instanceof Fill f) {
        Node negated = e.fill(-f.value(), a.input(0).shape(), a.input(0).dtype());
        return e.node(a.op(), negated, a.input(1));
      }
    } else if (op instanceof Log) {
      if (a.op() instanceof Exp) {
        return a.input(0);
      }
    } else if (op instanceof Pow p) {
      if (p.exponent() == 1) {
        return a;
      }
      if (p.exponent() == 0) {
        return e.fill(1, n.shape(), n.dtype());
      }
      if (p.exponent() == 2) {
        return e.mul(a, a);
      }
    } else if (op instanceof Where) {
      if (in.get(1) == in.get(2)) {
        return in.get(1);
      }
      if (a.op() instanceof Fill mask) {
        return mask.value() != 0 ? in.get(1) : in.get(2);
      }
    } else if (op instanceof Transpose t) {
      return transpose(e, t, a);
    } else if (op instanceof MatMul mm) {
      // b is never batched here: MatMul rejects a transposed batched b (the batch axis last)
      if (mm.transposeB()) {
        return e.matmul(a, e.transpose(c), mm.transposeA(), false);
      }
    } else if (op instanceof Reshape r) {
      if (a.op() instanceof Reshape) {
        return e.reshape(a.input(0), r.shape());
      }
    } else if (op instanceof BroadcastTo bt) {
      if (a.op() instanceof BroadcastTo) {
        return e.broadcastTo(a.input(0), bt.shape());
      }
    } else if (op instanceof Sum s) {
      if (a.op() instanceof BroadcastTo) {
        return sumOfBroadcast(e, s, a);
      }
      if (a.op() instanceof Neg) {
        return e.neg(e.node(s, a.input(0)));
      }
      if (a.op() instanceof Mul) {
        return sumOfOneHotProduct(e, s, a);
      }
    }
    return null;
  }

  /**
   * {@code a + c} for two concats along {@code axis} of {@code n}'s shape as one concat, when at
   * every position along the axis at most one of them has a part that is not a zero fill; else
   * null. Exact ({@code x + 0 = x}; only the sign of a zero sum may differ, as for {@code x + 0 →
   * x}).
   */
  private static Node sumOfDisjointConcats(Emit e, int axis, Node a, Node c, Node n)
      throws ShapeError {
    if (!a.shape().equals(n.shape()) || !c.shape().equals(n.shape())) {
      return null;
    }
    int[] aStarts = starts(a, axis);
    int[] cStarts = starts(c, axis);
    // every nonzero part of one side must lie where the other side has zero fills only
    if (!overZeros(a, aStarts, c, cStarts) || !overZeros(c, cStarts, a, aStarts)) {
      return null;
    }
    int total = n.shape().dim(axis);
    List<Node> parts = new ArrayList<>();
    int pos = 0;
    int zeroFrom = -1;
    while (pos < total) {
      int ia = partAt(aStarts, pos);
      int ic = partAt(cStarts, pos);
      Node part = null;
      if (aStarts[ia] == pos && !isZero(a.input(ia))) {
        part = a.input(ia);
      } else if (cStarts[ic] == pos && !isZero(c.input(ic))) {
        part = c.input(ic);
      }
      int next =
          part != null
              ? pos + part.shape().dim(axis)
              : Math.min(aStarts[ia + 1], cStarts[ic + 1]); // both zero up to the next boundary
      if (part == null && zeroFrom < 0) {
        zeroFrom = pos;
      }
      if (part != null) {
        if (zeroFrom >= 0) {
          parts.add(zeros(e, n, axis, pos - zeroFrom));
          zeroFrom = -1;
        }
        parts.add(part);
      }
      pos = next;
    }
    if (zeroFrom >= 0) {
      parts.add(zeros(e, n, axis, total - zeroFrom));
    }
    return e.concat(axis, parts);
  }

  /** Where each part of concat {@code x} starts along {@code axis}, then the total extent. */
  private static int[] starts(Node x, int axis) {
    int[] at = new int[x.inputs().size() + 1];
    for (int i = 0; i < x.inputs().size(); i++) {
      at[i + 1] = at[i] + x.input(i).shape().dim(axis);
    }
    return at;
  }

  /** The part of a concat with these {@link #starts} that covers {@code pos}. */
  private static int partAt(int[] starts, int pos) {
    int i = 0;
    while (starts[i + 1] <= pos) {
      i++;
    }
    return i;
  }

  /** Does {@code y} have zero fills wherever {@code x} has a part that is not one? */
  private static boolean overZeros(Node x, int[] xStarts, Node y, int[] yStarts) {
    for (int i = 0; i < x.inputs().size(); i++) {
      if (isZero(x.input(i))) {
        continue;
      }
      for (int j = 0; j < y.inputs().size(); j++) {
        boolean overlaps = yStarts[j] < xStarts[i + 1] && xStarts[i] < yStarts[j + 1];
        if (overlaps && !isZero(y.input(j))) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isZero(Node x) {
    return isFill(x, 0) || isFill(x, -0.0);
  }

  /** A zero fill of {@code n}'s shape with extent {@code len} along {@code axis}. */
  private static Node zeros(Emit e, Node n, int axis, int len) throws ShapeError {
    int[] dims = n.shape().dims();
    dims[axis] = len;
    return e.fill(0, Shape.of(dims), n.dtype());
  }

  /** Drops explicit broadcasts feeding an elementwise op that broadcasts by itself anyway. */
  private static Node unbroadcastOperands(Emit e, Node n, List<Node> inputs) throws ShapeError {
    if (!(n.op() instanceof Elementwise) || n.op() instanceof BroadcastTo) {
      return null;
    }
    List<Node> direct = new ArrayList<>(inputs);
    boolean changed = false;
    for (int i = 0; i < direct.size(); i++) {
      Node in = direct.get(i);
      if (!(in.op() instanceof BroadcastTo)) {
        continue;
      }
      direct.set(i, in.input(0));
      List<TensorType> types = new ArrayList<>();
      for (Node d : direct) {
        types.add(d.type());
      }
      TensorType t;
      try {
        t = n.op().infer(types);
      } catch (ShapeError err) {
        t = null;
      }
      if (n.type().equals(t)) {
        changed = true;
      } else {
        direct.set(i, in);
      }
    }
    return changed ? e.node(n.op(), direct) : null;
  }

  private static Node transpose(Emit e, Transpose t, Node a) throws ShapeError {
    List<Integer> perm = t.perm();
    if (a.op() instanceof Transpose inner) {
      int[] composed = new int[perm.size()];
      for (int i = 0; i < composed.length; i++) {
        composed[i] = inner.perm().get(perm.get(i));
      }
      return identity(composed) ? a.input(0) : e.transpose(a.input(0), composed);
    }
    int[] p = perm.stream().mapToInt(Integer::intValue).toArray();
    return identity(p) ? a : null;
  }

  private static boolean identity(int[] perm) {
    for (int i = 0; i < perm.length; i++) {
      if (perm[i] != i) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code sum(broadcast_to(x, S), A)} where every axis of A is one x was broadcast along: each
   * output element adds the same value |A| times.
   */
  private static Node sumOfBroadcast(Emit e, Sum s, Node bc) throws ShapeError {
    Node x = bc.input(0);
    Shape big = bc.shape();
    int lead = big.rank() - x.shape().rank();
    int[] aligned = new int[big.rank()];
    for (int k = 0; k < big.rank(); k++) {
      aligned[k] = k < lead ? 1 : x.shape().dim(k - lead);
    }
    int[] kept = big.dims();
    for (int axis : s.axes()) {
      if (aligned[axis] != 1 && big.dim(axis) != 1) {
        return null;
      }
      kept[axis] = 1;
    }
    if (x.shape().isBatched() != (aligned.length > 0 && aligned[0] == Shape.BATCH)) {
      return null;
    }
    Node spread = e.broadcastTo(e.reshape(x, Shape.of(aligned)), Shape.of(kept));
    Node scaled = e.mul(spread, count(e, big, s.axes(), x));
    int[] out = new int[s.keepdims() ? kept.length : kept.length - s.axes().size()];
    int j = 0;
    for (int k = 0; k < kept.length; k++) {
      if (s.keepdims() || !s.axes().contains(k)) {
        out[j++] = kept[k];
      }
    }
    return e.reshape(scaled, Shape.of(out));
  }

  /**
   * {@code x} without its last axis, when {@code x} broadcast to {@code big} is constant along that
   * axis (its last extent is 1, or it is missing); else null. With keepdims the caller's {@link
   * #fit} gives back the extent-1 axis.
   */
  private static Node alongLast(Emit e, Node x, Shape big) throws ShapeError {
    Shape xs = x.shape();
    if (xs.isScalar()) {
      return x;
    }
    if (xs.dim(xs.rank() - 1) != 1) {
      return null;
    }
    int[] dims = java.util.Arrays.copyOf(xs.dims(), xs.rank() - 1);
    return e.reshape(x, Shape.of(dims));
  }

  private static Node count(Emit e, Shape big, List<Integer> axes, Node x) throws ShapeError {
    double n = 1;
    boolean overBatch = false;
    for (int axis : axes) {
      if (big.dim(axis) == Shape.BATCH) {
        overBatch = true;
      } else {
        n *= big.dim(axis);
      }
    }
    Node c = e.scalar(n, x.dtype());
    return overBatch ? e.mul(e.batchSize(x.dtype()), c) : c;
  }

  /** {@code sum(x ⊙ one_hot(y), last axis)} picks one element per row: {@code gather(x, y)}. */
  private static Node sumOfOneHotProduct(Emit e, Sum s, Node product) throws ShapeError {
    int last = product.shape().rank() - 1;
    if (!s.axes().equals(List.of(last))) {
      return null;
    }
    List<Node> factors = new ArrayList<>(product.inputs());
    for (int i = 0; i < 2; i++) {
      Node hot = factors.get(i);
      Node x = factors.get(1 - i);
      if (hot.op() instanceof OneHot && hot.shape().equals(product.shape())) {
        Node column = alongLast(e, x, product.shape());
        if (column != null) {
          return column;
        }
      }
      if (hot.op() instanceof OneHot
          && x.shape().equals(product.shape())
          && hot.shape().equals(product.shape())) {
        Node picked = e.gather(x, hot.input(0));
        if (!s.keepdims()) {
          return picked;
        }
        int[] dims = product.shape().dims();
        dims[last] = 1;
        return e.reshape(picked, Shape.of(dims));
      }
    }
    return null;
  }
}
