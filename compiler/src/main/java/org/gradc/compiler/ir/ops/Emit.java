package org.gradc.compiler.ir.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Op;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * Builds IR nodes, one method per op, all attributed to one source span. This is the API through
 * which the front end creates leaves (declarations and literals), VJP rules build the backward
 * graph, and passes rewrite: it normalizes attributes (negative axes, "all axes") so that equal
 * computations hash-cons to one node.
 *
 * <p>Leaves: {@link #input} and {@link #param} create the node for a declaration and register its
 * role in the builder; {@link #fill} and {@link #scalar} create literals in the graph's precision
 * (or an explicit dtype); {@link #constant} holds arbitrary values (constant folding makes these).
 */
public final class Emit {
  private final Graph.Builder b;
  private final SourceSpan span;

  public Emit(Graph.Builder b, SourceSpan span) {
    this.b = b;
    this.span = span;
  }

  /** An emitter attributing new nodes to {@code n}'s source span (used by VJP rules). */
  public static Emit at(Graph.Builder b, Node n) {
    return new Emit(b, n.span());
  }

  public Graph.Builder builder() {
    return b;
  }

  public SourceSpan span() {
    return span;
  }

  public Node node(Op op, Node... inputs) throws ShapeError {
    return b.node(op, List.of(inputs), span);
  }

  public Node node(Op op, List<Node> inputs) throws ShapeError {
    return b.node(op, inputs, span);
  }

  // ---- leaves

  /** Declares input {@code name} (features or labels) and registers it as a graph input. */
  public Node input(String name, TensorType type) throws ShapeError {
    Node n = node(new Input(name, type));
    b.input(name, n);
    return n;
  }

  /** Declares trainable parameter {@code name} and registers it as a graph parameter. */
  public Node param(String name, TensorType type) throws ShapeError {
    Node n = node(new Param(name, type));
    b.param(name, n);
    return n;
  }

  /** Declares model state {@code name} (not trained) and registers it as a graph state. */
  public Node state(String name, TensorType type) throws ShapeError {
    Node n = node(new State(name, type));
    b.state(name, n);
    return n;
  }

  /** {@code dropout(x, rate)} in the builder's mode: {@code x · mask} in training, else x. */
  public Node dropout(Node x, double rate) throws ShapeError {
    return DropoutMask.apply(this, x, rate);
  }

  /** {@code batch_norm} in the builder's mode (see {@link BatchNorm}). */
  public Node batchNorm(
      Node x, Node gamma, Node beta, Node mu, Node var, double momentum, double eps)
      throws ShapeError {
    return BatchNorm.apply(this, x, gamma, beta, mu, var, momentum, eps);
  }

  /** A tensor of {@code shape} (possibly batched) with every element {@code value}. */
  public Node fill(double value, Shape shape, DType dtype) throws ShapeError {
    return node(new Fill(value, new TensorType(dtype, shape)));
  }

  public Node fill(double value, Shape shape) throws ShapeError {
    return fill(value, shape, b.precision());
  }

  /** A scalar literal of the given type. */
  public Node scalar(double value, DType dtype) throws ShapeError {
    return fill(value, Shape.SCALAR, dtype);
  }

  /** A scalar literal in the graph's precision. */
  public Node scalar(double value) throws ShapeError {
    return fill(value, Shape.SCALAR, b.precision());
  }

  /** A tensor of given row-major values; a uniform one becomes a {@link Fill}. */
  public Node constant(double[] values, Shape shape, DType dtype) throws ShapeError {
    if (shape.isBatched()) {
      throw new IllegalArgumentException("a constant cannot have the batch extent: " + shape);
    }
    if (values.length != shape.size(1)) {
      throw new IllegalArgumentException(values.length + " values for shape " + shape);
    }
    boolean uniform = true;
    for (double v : values) {
      uniform &= Double.compare(v, values[0]) == 0;
    }
    if (uniform && values.length > 0) {
      return fill(values[0], shape, dtype);
    }
    return node(new Constant(values, new TensorType(dtype, shape)));
  }

  /** The run-time batch size as a scalar (mean over the batch axis divides by it). */
  public Node batchSize(DType dtype) throws ShapeError {
    return node(new BatchSize(dtype));
  }

  // ---- elementwise

  public Node add(Node a, Node c) throws ShapeError {
    return node(new Add(), a, c);
  }

  public Node sub(Node a, Node c) throws ShapeError {
    return node(new Sub(), a, c);
  }

  public Node mul(Node a, Node c) throws ShapeError {
    return node(new Mul(), a, c);
  }

  public Node div(Node a, Node c) throws ShapeError {
    return node(new Div(), a, c);
  }

  public Node max(Node a, Node c) throws ShapeError {
    return node(new Max(), a, c);
  }

  public Node min(Node a, Node c) throws ShapeError {
    return node(new Min(), a, c);
  }

  public Node neg(Node x) throws ShapeError {
    return node(new Neg(), x);
  }

  public Node exp(Node x) throws ShapeError {
    return node(new Exp(), x);
  }

  public Node log(Node x) throws ShapeError {
    return node(new Log(), x);
  }

  public Node sqrt(Node x) throws ShapeError {
    return node(new Sqrt(), x);
  }

  public Node tanh(Node x) throws ShapeError {
    return node(new Tanh(), x);
  }

  public Node sigmoid(Node x) throws ShapeError {
    return node(new Sigmoid(), x);
  }

  /** log(1 + e^x) in its stable form, with the exact derivative σ(x). */
  public Node softplus(Node x) throws ShapeError {
    return node(new Softplus(), x);
  }

  /** log σ(x) in its stable form, with the exact derivative σ(−x). */
  public Node logSigmoid(Node x) throws ShapeError {
    return node(new LogSigmoid(), x);
  }

  public Node abs(Node x) throws ShapeError {
    return node(new Abs(), x);
  }

  /** {@code x ^ exponent} for a constant exponent. */
  public Node pow(Node x, double exponent) throws ShapeError {
    return node(new Pow(exponent), x);
  }

  public Node stopGradient(Node x) throws ShapeError {
    return node(new StopGradient(), x);
  }

  /** A comparison ({@code LT LE GT GE EQ NE}) producing a bool mask. */
  public Node compare(Scalar.BinaryFn fn, Node a, Node c) throws ShapeError {
    return node(new Compare(fn), a, c);
  }

  public Node where(Node mask, Node a, Node c) throws ShapeError {
    return node(new Where(), mask, a, c);
  }

  // ---- structure

  public Node matmul(Node a, Node c) throws ShapeError {
    return matmul(a, c, false, false);
  }

  /** {@code op(a) @ op(c)} where {@code op} transposes when the flag is set. */
  public Node matmul(Node a, Node c, boolean transposeA, boolean transposeB) throws ShapeError {
    return node(new MatMul(transposeA, transposeB), a, c);
  }

  /** Permutes axes; no permutation means reversing them. */
  public Node transpose(Node x, int... perm) throws ShapeError {
    int rank = x.shape().rank();
    if (perm.length == 0) {
      perm = new int[rank];
      for (int i = 0; i < rank; i++) {
        perm[i] = rank - 1 - i;
      }
    }
    List<Integer> p = new ArrayList<>();
    for (int a : perm) {
      p.add(a < 0 ? a + rank : a);
    }
    return node(new Transpose(p), x);
  }

  public Node reshape(Node x, Shape shape) throws ShapeError {
    if (x.shape().equals(shape)) {
      return x;
    }
    return node(new Reshape(shape), x);
  }

  /** {@code [n, d1, ..., dk] → [n, d1·...·dk]}: the leading (batch) axis stays. */
  public Node flatten(Node x) throws ShapeError {
    Shape s = x.shape();
    if (s.rank() < 2) {
      throw new ShapeError(
          "E0306",
          "flatten keeps the leading axis and joins the others, so it needs rank 2 or more, got "
              + x.type());
    }
    long rest = 1;
    for (int i = 1; i < s.rank(); i++) {
      rest *= s.dim(i);
    }
    if (rest > Integer.MAX_VALUE) {
      throw new ShapeError("E0306", "flatten: " + x.type() + " has too many elements per row");
    }
    return reshape(x, Shape.of(s.dim(0), (int) rest));
  }

  // ---- convolution and pooling (NHWC images, HWIO kernels)

  /**
   * {@code conv2d(x, w, stride, padding, dilation, groups)} as the language calls it: stride and
   * dilation an int or {@code [h, w]}, padding an int, {@code [h, w]} or {@code [top, bottom, left,
   * right]}.
   */
  public Node conv2d(Node x, Node w, int[] stride, int[] padding, int[] dilation, int groups)
      throws ShapeError {
    Conv2d.requireKernel("conv2d", w.type());
    Window2d win =
        Window2d.of("conv2d", w.shape().dim(0), w.shape().dim(1), stride, padding, dilation);
    return conv2d(x, w, win, groups);
  }

  /** conv2d with TensorFlow's "same" padding (asymmetric when the stride exceeds 1). */
  public Node conv2dSame(Node x, Node w, int[] stride, int[] dilation, int groups)
      throws ShapeError {
    Conv2d.requireKernel("conv2d_same", w.type());
    Window2d.requireImage("conv2d_same", "an image x", x.type());
    int[] s = Window2d.pair("conv2d_same", "stride", stride, 1);
    int[] d = Window2d.pair("conv2d_same", "dilation", dilation, 1);
    int kh = w.shape().dim(0);
    int kw = w.shape().dim(1);
    int[] padding = Window2d.samePadding(x.shape().dim(1), x.shape().dim(2), kh, kw, s, d);
    return conv2d(x, w, Window2d.of("conv2d_same", kh, kw, s, padding, d), groups);
  }

  public Node conv2d(Node x, Node w, Window2d window, int groups) throws ShapeError {
    return node(new Conv2d(window, groups), x, w);
  }

  /** The cotangent of a convolution's {@code height × width} image (a transposed convolution). */
  public Node conv2dInputGrad(Node g, Node w, Window2d window, int groups, int height, int width)
      throws ShapeError {
    return node(new Conv2dInputGrad(window, groups, height, width), g, w);
  }

  /** The cotangent of a convolution's kernel, given its image and output cotangent. */
  public Node conv2dWeightGrad(Node x, Node g, Window2d window, int groups) throws ShapeError {
    return node(new Conv2dWeightGrad(window, groups), x, g);
  }

  public Node maxPool2d(Node x, Window2d window) throws ShapeError {
    return node(new MaxPool2d(window), x);
  }

  /** Each window's cotangent routed to the window's arg-max in {@code x}. */
  public Node maxPool2dGrad(Node x, Node g, Window2d window) throws ShapeError {
    return node(new MaxPool2dGrad(window), x, g);
  }

  /** {@code v} at the arg-max of each window of {@code x}. */
  public Node maxPool2dPick(Node x, Node v, Window2d window) throws ShapeError {
    return node(new MaxPool2dPick(window), x, v);
  }

  public Node avgPool2d(Node x, Window2d window) throws ShapeError {
    return node(new AvgPool2d(window), x);
  }

  /** Each window's cotangent spread evenly over its image elements in a {@code height × width}. */
  public Node avgPool2dGrad(Node g, Window2d window, int height, int width) throws ShapeError {
    return node(new AvgPool2dGrad(window, height, width), g);
  }

  public Node broadcastTo(Node x, Shape shape) throws ShapeError {
    if (x.shape().equals(shape)) {
      return x;
    }
    return node(new BroadcastTo(shape), x);
  }

  /** Sums over {@code axes} (negative ones count from the end; none means all). */
  public Node sum(Node x, boolean keepdims, int... axes) throws ShapeError {
    return node(new Sum(axes(x, "sum", axes), keepdims), x);
  }

  public Node mean(Node x, boolean keepdims, int... axes) throws ShapeError {
    return node(new Mean(axes(x, "mean", axes), keepdims), x);
  }

  public Node amax(Node x, boolean keepdims, int... axes) throws ShapeError {
    return node(new ReduceMax(axes(x, "amax", axes), keepdims), x);
  }

  /** The float encoding (in {@code dtype}) of int {@code labels} over {@code classes} classes. */
  public Node oneHot(Node labels, int classes, DType dtype) throws ShapeError {
    return node(new OneHot(classes, dtype), labels);
  }

  /** {@code x[..., labels[...]]}: picks one element of x's last axis per label. */
  public Node gather(Node x, Node labels) throws ShapeError {
    return node(new Gather(), x, labels);
  }

  public Node concat(int axis, List<Node> parts) throws ShapeError {
    if (parts.isEmpty()) {
      throw new ShapeError("E0310", "concat needs at least one tensor");
    }
    int a = Broadcasting.axis("concat", axis, parts.get(0).type());
    if (parts.size() == 1) {
      return parts.get(0);
    }
    return node(new Concat(a), parts);
  }

  /**
   * Tensors of one type joined along a new axis {@code axis} (negative counts from the end of the
   * result's axes): a concat of the parts reshaped to extent 1 there.
   */
  public Node stack(List<Node> parts, int axis) throws ShapeError {
    if (parts.isEmpty()) {
      throw new ShapeError("E0310", "stack needs at least one tensor");
    }
    TensorType t = parts.get(0).type();
    for (Node p : parts) {
      if (!p.type().equals(t)) {
        throw new ShapeError(
            "E0310",
            "stack: cannot stack " + t + " and " + p.type(),
            "every stacked tensor needs the same type");
      }
    }
    int rank = t.shape().rank() + 1;
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new ShapeError(
          "E0305", "stack: axis " + axis + " is out of range for a result of rank " + rank);
    }
    if (a == 0 && t.shape().isBatched()) {
      throw new ShapeError(
          "E0310",
          "stack: cannot stack " + t + " along axis 0",
          "the batch axis stays first: stack along axis 1 or later");
    }
    int[] dims = new int[rank];
    for (int k = 0, j = 0; k < rank; k++) {
      dims[k] = k == a ? 1 : t.shape().dim(j++);
    }
    List<Node> columns = new ArrayList<>();
    for (Node p : parts) {
      columns.add(reshape(p, Shape.of(dims)));
    }
    return concat(a, columns);
  }

  /** Rows of {@code table} picked by int {@code ids}. */
  public Node embedding(Node table, Node ids) throws ShapeError {
    return node(new Embedding(), table, ids);
  }

  /** The rows of {@code values} added into a {@code rows}-row table at their {@code ids}. */
  public Node scatterAdd(Node ids, Node values, int rows) throws ShapeError {
    return node(new ScatterAdd(rows), ids, values);
  }

  /** Elements {@code [start, end)} of {@code axis}. */
  public Node slice(Node x, int axis, int start, int end) throws ShapeError {
    int a = Broadcasting.axis("slice", axis, x.type());
    return node(new Slice(a, start, end), x);
  }

  /**
   * Sums a cotangent of a broadcast result back to the shape of the operand that was broadcast:
   * over the leading axes the operand lacks and over the axes where it has extent 1.
   */
  public Node unbroadcast(Node g, Shape target) throws ShapeError {
    Shape s = g.shape();
    if (s.equals(target)) {
      return g;
    }
    int lead = s.rank() - target.rank();
    List<Integer> axes = new ArrayList<>();
    for (int k = 0; k < s.rank(); k++) {
      if (k < lead || (target.dim(k - lead) == 1 && s.dim(k) != 1)) {
        axes.add(k);
      }
    }
    Node summed = axes.isEmpty() ? g : node(new Sum(axes, false), g);
    return reshape(summed, target);
  }

  private static List<Integer> axes(Node x, String op, int[] axes) throws ShapeError {
    int rank = x.shape().rank();
    int[] normal;
    if (axes.length == 0) {
      normal = new int[rank];
      for (int i = 0; i < rank; i++) {
        normal[i] = i;
      }
    } else {
      normal = new int[axes.length];
      for (int i = 0; i < axes.length; i++) {
        normal[i] = Broadcasting.axis(op, axes[i], x.type());
      }
    }
    int[] sorted = Arrays.stream(normal).sorted().distinct().toArray();
    if (sorted.length != normal.length) {
      throw new ShapeError("E0305", op + ": an axis is listed twice in " + Arrays.toString(axes));
    }
    List<Integer> list = new ArrayList<>();
    for (int a : sorted) {
      list.add(a);
    }
    return List.copyOf(list);
  }
}
