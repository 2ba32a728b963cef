package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.gradc.compiler.autodiff.Autodiff;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.PrimitiveCoverage;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.compiler.ir.ops.Window2d;
import org.gradc.compiler.opt.Pipeline;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;

/**
 * For every primitive, on random shapes (batched or not) and values, in f32 and f64: the generated
 * class's output, loss and gradients (of {@code sum(r ⊙ op(...))}, through the real autodiff) equal
 * the reference evaluator's within 1e-5 (f32) or 1e-12 (f64) relative.
 */
class PrimitiveDifferentialProperties {
  /** The primitives the properties below exercise; see {@link PrimitiveCoverage}. */
  static final java.util.Set<String> COVERED =
      java.util.Set.of(
          "add",
          "sub",
          "mul",
          "div",
          "neg",
          "pow",
          "exp",
          "log",
          "sqrt",
          "tanh",
          "sigmoid",
          "abs",
          "max",
          "min",
          "lt",
          "le",
          "gt",
          "ge",
          "eq",
          "ne",
          "where",
          "stop_gradient",
          "matmul",
          "transpose",
          "reshape",
          "broadcast_to",
          "sum",
          "mean",
          "amax",
          "one_hot",
          "gather",
          "concat",
          "slice",
          "dropout",
          "batch_norm",
          "conv2d",
          "conv2d_same",
          "max_pool2d",
          "avg_pool2d",
          "flatten",
          "softplus",
          "log_sigmoid",
          "embedding",
          "stack",
          "zeros",
          "ones",
          "full");

  @net.jqwik.api.Example
  void coversEveryPrimitive() {
    PrimitiveCoverage.assertCovers(
        "differential property (generated code vs the reference evaluator)", COVERED);
  }

  @FunctionalInterface
  interface Body {
    Node apply(Case c) throws ShapeError;
  }

  /** One model under test: data inputs, parameters, one output and a weighted-sum loss. */
  static final class Case {
    final Precision p;
    final Graph.Builder b;
    final Emit e;
    final Random rnd;
    private int names;

    /** Whether the graph goes through the optimizer first, as a compiled model's does. */
    boolean optimized;

    Case(Precision p, long seed) {
      this.p = p;
      this.b = Graph.builder().modelName("Case").precision(p.ir());
      this.e = new Emit(b, SourceSpan.SYNTHETIC);
      this.rnd = new Random(seed);
    }

    Node data(Shape s) throws ShapeError {
      return e.input("x" + names++, new TensorType(p.ir(), s));
    }

    Node param(Shape s) throws ShapeError {
      return e.param("P" + names++, new TensorType(p.ir(), s));
    }

    /** A differentiable value of shape {@code s}: data plus a parameter when batched. */
    Node value(Shape s) throws ShapeError {
      if (!s.isBatched()) {
        return param(s);
      }
      int[] rest = new int[s.rank() - 1];
      for (int i = 1; i < s.rank(); i++) {
        rest[i - 1] = s.dim(i);
      }
      return e.mul(data(s), e.add(param(Shape.of(rest)), data(s)));
    }

    Node state(Shape s) throws ShapeError {
      return e.state("S" + names++, new TensorType(p.ir(), s));
    }

    /** A value of shape {@code s} in [0.5, 2.5]. */
    Node positive(Shape s) throws ShapeError {
      Node v = value(s);
      return e.add(e.mul(v, v), e.scalar(0.5));
    }

    void check(Node out) throws Exception {
      b.output("out", out);
      Node r = data(out.shape());
      b.loss(e.sum(e.mul(out, r), false));
      Graph g = Autodiff.differentiate(b.build());
      if (optimized) {
        g = Pipeline.standard().run(g).graph();
      }
      for (OptimizerKind kind : new OptimizerKind[] {OptimizerKind.SGD}) {
        Model m = Harness.load(Harness.training(g, kind), p);
        Harness.compareWithEvaluator(m, g, 1, rnd.nextLong(), p);
        Harness.compareWithEvaluator(m, g, 5, rnd.nextLong(), p);
        Harness.compareWithEvaluator(m, g, 2, rnd.nextLong(), p);
      }
    }
  }

  @Provide
  Arbitrary<Shape> shapes() {
    Arbitrary<int[]> dims = Arbitraries.integers().between(1, 4).array(int[].class).ofMaxSize(3);
    return Combinators.combine(dims, Arbitraries.of(true, false))
        .as((d, batched) -> batched ? Shape.batched(d) : Shape.of(d));
  }

  /**
   * Shapes batch norm accepts: rank 2 or more, and more than one row per channel when not batched
   * (a filter, not an assumption, so a property never runs out of tries).
   */
  @Provide
  Arbitrary<Shape> normShapes() {
    return shapes()
        .filter(s -> s.rank() >= 2 && (s.isBatched() || s.size(1) / s.dim(s.rank() - 1) > 1));
  }

  @Provide
  Arbitrary<Precision> precisions() {
    return Arbitraries.of(Precision.class);
  }

  private static void run(Precision p, long seed, Body body) throws Exception {
    Case c = new Case(p, seed);
    c.check(body.apply(c));
  }

  // ---- unary

  @Property(tries = 10)
  void unary(
      @ForAll("shapes") Shape s,
      @ForAll("precisions") Precision p,
      @ForAll long seed,
      @ForAll Scalar.UnaryFn fn)
      throws Exception {
    run(
        p,
        seed,
        c ->
            switch (fn) {
              case NEG -> c.e.neg(c.value(s));
              case EXP -> c.e.exp(c.value(s));
              case LOG -> c.e.log(c.positive(s));
              case SQRT -> c.e.sqrt(c.positive(s));
              case TANH -> c.e.tanh(c.value(s));
              case SIGMOID -> c.e.sigmoid(c.value(s));
              case ABS -> c.e.abs(c.value(s));
            });
  }

  @Property(tries = 10)
  void pow(
      @ForAll("shapes") Shape s,
      @ForAll("precisions") Precision p,
      @ForAll long seed,
      @ForAll("exponents") double exponent)
      throws Exception {
    run(p, seed, c -> c.e.pow(c.positive(s), exponent));
  }

  @Provide
  Arbitrary<Double> exponents() {
    return Arbitraries.of(2.0, 3.0, 0.5, -1.5, 1.0, 0.0);
  }

  // ---- binary, broadcasting both ways

  /** A shape that broadcasts to {@code s}: some leading axes dropped, some extents set to 1. */
  static Shape broadcastable(Shape s, Random rnd) {
    int drop = rnd.nextInt(s.rank() + 1);
    int[] dims = new int[s.rank() - drop];
    for (int i = 0; i < dims.length; i++) {
      int d = s.dim(i + drop);
      dims[i] = rnd.nextInt(3) == 0 ? 1 : d;
    }
    if (dims.length > 0 && dims[0] == Shape.BATCH && drop > 0) {
      dims[0] = 1;
    }
    return Shape.of(dims);
  }

  @Property(tries = 12)
  void binary(
      @ForAll("shapes") Shape s,
      @ForAll("precisions") Precision p,
      @ForAll long seed,
      @ForAll("arithmetic") Scalar.BinaryFn fn,
      @ForAll boolean swap)
      throws Exception {
    run(
        p,
        seed,
        c -> {
          Shape t = broadcastable(s, c.rnd);
          Node a = c.value(s);
          Node other = fn == Scalar.BinaryFn.DIV ? c.positive(t) : c.value(t);
          Node x = swap && fn != Scalar.BinaryFn.DIV ? other : a;
          Node y = swap && fn != Scalar.BinaryFn.DIV ? a : other;
          return switch (fn) {
            case ADD -> c.e.add(x, y);
            case SUB -> c.e.sub(x, y);
            case MUL -> c.e.mul(x, y);
            case DIV -> c.e.div(x, y);
            case MAX -> c.e.max(x, y);
            default -> c.e.min(x, y);
          };
        });
  }

  @Provide
  Arbitrary<Scalar.BinaryFn> arithmetic() {
    return Arbitraries.of(
        Scalar.BinaryFn.ADD,
        Scalar.BinaryFn.SUB,
        Scalar.BinaryFn.MUL,
        Scalar.BinaryFn.DIV,
        Scalar.BinaryFn.MAX,
        Scalar.BinaryFn.MIN);
  }

  @Property(tries = 12)
  void compareAndWhere(
      @ForAll("shapes") Shape s,
      @ForAll("precisions") Precision p,
      @ForAll long seed,
      @ForAll("comparisons") Scalar.BinaryFn fn)
      throws Exception {
    run(
        p,
        seed,
        c -> {
          Node a = c.value(s);
          Node other = c.value(broadcastable(s, c.rnd));
          Node mask = c.e.compare(fn, a, other);
          return c.e.where(mask, a, c.e.mul(other, c.e.scalar(3)));
        });
  }

  @Provide
  Arbitrary<Scalar.BinaryFn> comparisons() {
    return Arbitraries.of(
        Scalar.BinaryFn.LT,
        Scalar.BinaryFn.LE,
        Scalar.BinaryFn.GT,
        Scalar.BinaryFn.GE,
        Scalar.BinaryFn.EQ,
        Scalar.BinaryFn.NE);
  }

  @Property(tries = 8)
  void stopGradient(@ForAll("shapes") Shape s, @ForAll("precisions") Precision p, @ForAll long seed)
      throws Exception {
    run(
        p,
        seed,
        c -> {
          Node v = c.value(s);
          return c.e.mul(c.e.stopGradient(c.e.exp(v)), v);
        });
  }

  // ---- structure

  @Property(tries = 16)
  void matmul(
      @ForAll("precisions") Precision p,
      @ForAll long seed,
      @ForAll boolean ta,
      @ForAll boolean tb,
      @ForAll("extents") int m,
      @ForAll("extents") int k,
      @ForAll("extents") int n,
      @ForAll("batchPlace") int batchAt)
      throws Exception {
    // the batch axis must stay leading: with m = batch, a is [batch, k]; with k = batch, a is
    // stored [batch, m] (transposed) and b is [batch, n]
    // the loss sums m·n dots of k f32 products: beyond 17³ terms its rounding alone reaches the
    // 1e-5 tolerance (seed 6048475701354782517: 33 × 33 × 17 is off by 1.3e-5 in both back ends),
    // so f32 keeps to that many; f64 takes every combination
    Assume.that(p == Precision.F64 || m * k * n <= 17 * 17 * 17);
    boolean tA = batchAt == 2 || batchAt == 0 && ta;
    boolean tB = batchAt != 2 && tb;
    int mm = batchAt == 1 ? Shape.BATCH : m;
    int kk = batchAt == 2 ? Shape.BATCH : k;
    Shape as = tA ? Shape.of(kk, mm) : Shape.of(mm, kk);
    Shape bs = tB ? Shape.of(n, kk) : Shape.of(kk, n);
    run(p, seed, c -> c.e.matmul(c.value(as), c.value(bs), tA, tB));
  }

  /**
   * A weight read transposed by two products and as is by a third: the optimizer makes one shared
   * {@code transpose(W)} (so does the backward pass of the third), which the code generator stores
   * once for every product that reads it.
   */
  @Property(tries = 12)
  void matmulsSharingATransposedWeight(
      @ForAll("precisions") Precision p,
      @ForAll long seed,
      @ForAll("extents") int k,
      @ForAll("extents") int n)
      throws Exception {
    run(
        p,
        seed,
        c -> {
          c.optimized = true;
          Node w = c.param(Shape.of(k, n));
          Node h =
              c.e.tanh(
                  c.e.add(
                      c.e.matmul(c.value(Shape.batched(n)), w, false, true),
                      c.e.matmul(c.value(Shape.batched(n)), w, false, true)));
          return c.e.matmul(h, w);
        });
  }

  @Provide
  Arbitrary<Integer> extents() {
    return Arbitraries.of(1, 2, 3, 5, 7, 17, 33);
  }

  /** 0: no batch; 1: rows are the batch; 2: the contracted axis is the batch. */
  @Provide
  Arbitrary<Integer> batchPlace() {
    return Arbitraries.of(0, 1, 2);
  }

  @Property(tries = 10)
  void transpose(@ForAll("shapes") Shape s, @ForAll("precisions") Precision p, @ForAll long seed)
      throws Exception {
    run(
        p,
        seed,
        c -> {
          List<Integer> axes = new ArrayList<>();
          int first = s.isBatched() ? 1 : 0;
          for (int i = first; i < s.rank(); i++) {
            axes.add(i);
          }
          java.util.Collections.shuffle(axes, c.rnd);
          int[] perm = new int[s.rank()];
          if (s.isBatched()) {
            perm[0] = 0;
          }
          for (int i = 0; i < axes.size(); i++) {
            perm[i + first] = axes.get(i);
          }
          return c.e.exp(c.e.transpose(c.e.tanh(c.value(s)), perm));
        });
  }

  @Property(tries = 10)
  void reshape(@ForAll("shapes") Shape s, @ForAll("precisions") Precision p, @ForAll long seed)
      throws Exception {
    run(
        p,
        seed,
        c -> {
          int rows = (int) s.rowSize();
          Shape target = s.isBatched() ? Shape.batched(rows, 1) : Shape.of(1, rows);
          return c.e.mul(c.e.reshape(c.e.tanh(c.value(s)), target), c.value(target));
        });
  }

  @Property(tries = 10)
  void broadcastTo(@ForAll("shapes") Shape s, @ForAll("precisions") Precision p, @ForAll long seed)
      throws Exception {
    run(p, seed, c -> c.e.broadcastTo(c.param(broadcastable(nonBatched(s), c.rnd)), s));
  }

  private static Shape nonBatched(Shape s) {
    if (!s.isBatched()) {
      return s;
    }
    int[] d = s.dims();
    d[0] = 1;
    return Shape.of(d);
  }

  private static int[] someAxes(Shape s, Random rnd) {
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < s.rank(); i++) {
      if (rnd.nextBoolean()) {
        axes.add(i);
      }
    }
    if (axes.isEmpty() && s.rank() > 0) {
      axes.add(rnd.nextInt(s.rank()));
    }
    return axes.stream().mapToInt(Integer::intValue).toArray();
  }

  @Property(tries = 12)
  void reductions(
      @ForAll("shapes") Shape s,
      @ForAll("precisions") Precision p,
      @ForAll long seed,
      @ForAll boolean keepdims,
      @ForAll("reducers") String reducer)
      throws Exception {
    run(
        p,
        seed,
        c -> {
          Node x = c.value(s);
          int[] axes = someAxes(s, c.rnd);
          return switch (reducer) {
            case "sum" -> c.e.sum(x, keepdims, axes);
            case "mean" -> c.e.mean(x, keepdims, axes);
            default -> c.e.amax(x, keepdims, axes);
          };
        });
  }

  @Provide
  Arbitrary<String> reducers() {
    return Arbitraries.of("sum", "mean", "amax");
  }

  @Property(tries = 10)
  void gatherAndOneHot(
      @ForAll("precisions") Precision p,
      @ForAll long seed,
      @ForAll("extents") int classes,
      @ForAll boolean batched)
      throws Exception {
    run(
        p,
        seed,
        c -> {
          Shape ls = batched ? Shape.batched() : Shape.of(3);
          Node labels = c.e.input("labels", new TensorType(DType.I32, ls));
          int[] xd = java.util.Arrays.copyOf(ls.dims(), ls.rank() + 1);
          xd[ls.rank()] = classes;
          Node x = c.value(Shape.of(xd));
          Node picked = c.e.gather(c.e.exp(x), labels);
          Node hot = c.e.sum(c.e.mul(c.e.oneHot(labels, classes, p.ir()), x), false, ls.rank());
          return c.e.add(picked, hot);
        });
  }

  @Property(tries = 10)
  void concatAndSlice(@ForAll("precisions") Precision p, @ForAll long seed, @ForAll boolean batched)
      throws Exception {
    run(
        p,
        seed,
        c -> {
          Shape a = batched ? Shape.batched(2, 3) : Shape.of(4, 2, 3);
          Shape b = batched ? Shape.batched(2, 5) : Shape.of(4, 2, 5);
          int axis = a.rank() - 1;
          Node joined = c.e.concat(axis, List.of(c.e.tanh(c.value(a)), c.value(b)));
          Node part = c.e.slice(joined, axis, 1, 6);
          return c.e.mul(part, c.e.slice(c.e.exp(joined), axis, 2, 7));
        });
  }

  /** Dropout in training: the generated mask (seed, step, element) equals the evaluator's. */
  @Property(tries = 10)
  void dropout(
      @ForAll("shapes") Shape s,
      @ForAll("precisions") Precision p,
      @ForAll long seed,
      @ForAll @net.jqwik.api.constraints.DoubleRange(min = 0, max = 0.9) double rate)
      throws Exception {
    run(p, seed, c -> c.e.dropout(c.e.tanh(c.value(s)), rate));
  }

  /** Batch norm in training (batch statistics, state updates) and in evaluation (scale-shift). */
  @Property(tries = 10)
  void batchNorm(
      @ForAll("normShapes") Shape s,
      @ForAll("precisions") Precision p,
      @ForAll long seed,
      @ForAll boolean evaluation)
      throws Exception {
    run(
        p,
        seed,
        c -> {
          if (evaluation) {
            c.b.mode(Graph.Mode.EVAL);
          }
          Shape ch = Shape.of(s.dim(s.rank() - 1));
          return c.e.batchNorm(
              c.value(s), c.param(ch), c.param(ch), c.state(ch), c.state(ch), 0.3, 1e-3);
        });
  }

  /** softplus and log_sigmoid (elementwise primitives with exact gradients at their kinks). */
  @Property(tries = 8)
  void softplusAndLogSigmoid(
      @ForAll("shapes") Shape s,
      @ForAll("precisions") Precision p,
      @ForAll long seed,
      @ForAll boolean soft)
      throws Exception {
    run(p, seed, c -> soft ? c.e.softplus(c.value(s)) : c.e.logSigmoid(c.value(s)));
  }

  /** flatten of a rank-4 image (what a CNN feeds its dense layers), batched or not. */
  @Property(tries = 6)
  void flatten(@ForAll("precisions") Precision p, @ForAll long seed, @ForAll boolean batched)
      throws Exception {
    Shape s = batched ? Shape.batched(3, 2, 5) : Shape.of(2, 3, 1, 4);
    run(p, seed, c -> c.e.tanh(c.e.flatten(c.value(s))));
  }

  // ---- convolution and pooling: every pass of each (the gradients through autodiff)

  private static int between(Random r, int lo, int hi) {
    return lo + r.nextInt(hi - lo + 1);
  }

  /**
   * A configuration whose f32 loss {@code sum(out · r)} cancels to about 1 from terms of far larger
   * magnitude: compared relative to the loss alone, its correct rounding (2.5e-5) failed the 1e-5
   * tolerance on the runs whose random seed drew it; the harness now compares a sum's loss relative
   * to the sum of its terms' magnitudes ({@link Harness#lossScale}).
   */
  @Example
  void conv2dWhoseLossCancels() throws Exception {
    conv2d(Precision.F32, -86L);
  }

  /**
   * conv2d on random configurations: kernels 1–5, strides 1–3, dilations 1–2, symmetric, asymmetric
   * and "same" padding, odd and even image sizes, groups 1, 2 and depthwise. The loss's gradients
   * run the input gradient (transposed convolution) and the weight gradient.
   */
  @Property(tries = 24)
  void conv2d(@ForAll("precisions") Precision p, @ForAll long seed) throws Exception {
    Random r = new Random(seed);
    int kh = between(r, 1, 5);
    int kw = between(r, 1, 5);
    int[] stride = {between(r, 1, 3), between(r, 1, 3)};
    int[] dilation = {between(r, 1, 2), between(r, 1, 2)};
    int[] padding =
        switch (r.nextInt(4)) {
          case 0 -> new int[] {between(r, 0, kh / 2 + 1)};
          case 1 -> new int[] {between(r, 0, kh / 2 + 1), between(r, 0, kw / 2 + 1)};
          case 2 ->
              new int[] {
                between(r, 0, kh), between(r, 0, kh), between(r, 0, kw), between(r, 0, kw)
              };
          default -> null; // "same"
        };
    int groups;
    int cin;
    int cout;
    switch (r.nextInt(3)) {
      case 0 -> {
        groups = 1;
        cin = between(r, 1, 3);
        cout = between(r, 1, 17);
      }
      case 1 -> {
        groups = 2;
        cin = 2 * between(r, 1, 2);
        cout = 2 * between(r, 1, 3);
      }
      default -> {
        cin = between(r, 1, 3);
        groups = cin;
        cout = cin * between(r, 1, 2);
      }
    }
    int[] pad = padding == null ? new int[] {0, 0, 0, 0} : padding;
    int padH = pad.length == 4 ? pad[0] + pad[1] : 2 * pad[0];
    int padW = pad.length == 4 ? pad[2] + pad[3] : 2 * (pad.length == 2 ? pad[1] : pad[0]);
    int h = Math.max(1, dilation[0] * (kh - 1) + 1 - padH) + between(r, 0, 4);
    int w = Math.max(1, dilation[1] * (kw - 1) + 1 - padW) + between(r, 0, 4);
    boolean batched = r.nextInt(4) != 0;
    Shape image = batched ? Shape.batched(h, w, cin) : Shape.of(2, h, w, cin);
    Shape kernel = Shape.of(kh, kw, cin / groups, cout);
    run(
        p,
        seed,
        c ->
            padding == null
                ? c.e.conv2dSame(c.value(image), c.value(kernel), stride, dilation, groups)
                : c.e.conv2d(c.value(image), c.value(kernel), stride, padding, dilation, groups));
  }

  /**
   * conv2d with channel counts up to 40, so the vector back end's register tiles run, with partial
   * tiles and channels past the last whole vector at every vector width (4, 8 and 16 float lanes):
   * the layer {@code relu(conv2d(x, K) + c)} of a CNN, stride 1 (the input gradient's gathered
   * form) or 2, dilation 1 or 2, groups 1 or 2, borders on every side, batched images or not.
   */
  @Property(tries = 12)
  void conv2dWideChannels(@ForAll long seed) throws Exception {
    // f64 only: an f32 loss over these layers sums thousands of rounded products, whose rounding
    // alone passes the 1e-5 tolerance (seed 1192107946601614845: 2.0e-5, in both back ends) even
    // at 10 channels a group. The f32 tiles are held to the scalar loops' bits instead
    // (ConvModelTest.vectorTilesGiveTheScalarBits), and those to the evaluator by conv2d above.
    Precision p = Precision.F64;
    Random r = new Random(seed);
    int kh = between(r, 1, 3);
    int kw = between(r, 1, 3);
    int[] stride = r.nextInt(3) == 0 ? new int[] {2, between(r, 1, 2)} : new int[] {1, 1};
    int[] dilation = {between(r, 1, 2), between(r, 1, 2)};
    int[] padding = {between(r, 0, kh), between(r, 0, kh), between(r, 0, kw), between(r, 0, kw)};
    int groups = between(r, 1, 2);
    int cin = groups * between(r, 1, 20);
    int cout = groups * between(r, 1, 20);
    int h = dilation[0] * (kh - 1) + 1 + between(r, 0, 6);
    int w = dilation[1] * (kw - 1) + 1 + between(r, 0, 14);
    // an unbatched image has a static leading extent the tiles must loop over, not the batch size
    Shape image = r.nextInt(4) != 0 ? Shape.batched(h, w, cin) : Shape.of(2, h, w, cin);
    Shape kernel = Shape.of(kh, kw, cin / groups, cout);
    run(
        p,
        seed,
        c ->
            c.e.max(
                c.e.add(
                    c.e.conv2d(c.value(image), c.value(kernel), stride, padding, dilation, groups),
                    c.value(Shape.of(cout))),
                c.e.scalar(0.0)));
  }

  /** A pooling window of random geometry whose padding is at most half the window. */
  private static Window2d poolWindow(Random r) {
    int kh = between(r, 1, 4);
    int kw = between(r, 1, 4);
    return new Window2d(
        kh,
        kw,
        between(r, 1, 3),
        between(r, 1, 3),
        between(r, 0, kh / 2),
        between(r, 0, kh / 2),
        between(r, 0, kw / 2),
        between(r, 0, kw / 2),
        1,
        1);
  }

  /** max_pool2d and avg_pool2d forward and (through the loss) their gradients. */
  @Property(tries = 20)
  void pooling(@ForAll("precisions") Precision p, @ForAll long seed, @ForAll boolean max)
      throws Exception {
    Random r = new Random(seed);
    Window2d win = poolWindow(r);
    Shape image =
        Shape.batched(win.kh() + between(r, 0, 4), win.kw() + between(r, 0, 4), between(r, 1, 5));
    run(
        p,
        seed,
        c -> max ? c.e.maxPool2d(c.value(image), win) : c.e.avgPool2d(c.value(image), win));
  }

  /**
   * Max-pool's gradient and pick on images full of ties ({@code max(v, 0)} is 0 at about half the
   * pixels, so many windows are all zeros): generated code routes each cotangent to the same tap as
   * the evaluator (the first maximal one in row-major window order); the loss's gradient with
   * respect to the cotangent runs {@code max_pool2d_pick}.
   */
  @Property(tries = 16)
  void maxPoolTies(@ForAll("precisions") Precision p, @ForAll long seed, @ForAll boolean pick)
      throws Exception {
    Random r = new Random(seed);
    Window2d win = poolWindow(r);
    Shape image =
        Shape.batched(win.kh() + between(r, 0, 4), win.kw() + between(r, 0, 4), between(r, 1, 3));
    run(
        p,
        seed,
        c -> {
          Node x = c.e.max(c.data(image), c.e.scalar(0.0));
          if (pick) {
            return c.e.maxPool2dPick(x, c.value(image), win);
          }
          return c.e.maxPool2dGrad(x, c.value(c.e.maxPool2d(x, win).shape()), win);
        });
  }

  /**
   * Pooling whose windows all lie inside the image, the form FashionCnn's pools take, which runs as
   * one channels-innermost kernel per pass ({@code PoolLowering}'s whole windows): channel counts
   * that are whole vectors at 4, 8 and 16 lanes (16, 32, 48) or not (1–40), odd image sizes where
   * floor drops the last rows or columns, strides past the window (gaps the gradient leaves zero),
   * sometimes padding at the bottom and right (which a window may or may not reach); max and avg
   * pooling after a convolution and a ReLU with their gradients, and max pooling's gradient and
   * pick on images full of ties. (These graphs do not fuse the ReLU's mask into the pooling
   * gradient's loop; the test model {@code pool_epilogues.grad} and FashionCnn in {@code
   * SourceDifferentialTest} do.)
   */
  @Property(tries = 20)
  void wholeWindowPooling(@ForAll("precisions") Precision p, @ForAll long seed) throws Exception {
    Random r = new Random(seed);
    int kh = between(r, 1, 3);
    int kw = between(r, 1, 3);
    int sh = kh + (r.nextInt(3) == 0 ? 1 : 0);
    int sw = kw + (r.nextInt(3) == 0 ? 1 : 0);
    boolean padded = r.nextInt(4) == 0;
    Window2d win =
        new Window2d(kh, kw, sh, sw, 0, padded ? kh / 2 : 0, 0, padded ? kw / 2 : 0, 1, 1);
    int h = (between(r, 1, 4) - 1) * sh + kh + between(r, 0, sh - 1);
    int w = (between(r, 1, 4) - 1) * sw + kw + between(r, 0, sw - 1);
    int channels = r.nextBoolean() ? 16 * between(r, 1, 3) : between(r, 1, 40);
    Shape image = r.nextInt(4) != 0 ? Shape.batched(h, w, channels) : Shape.of(2, h, w, channels);
    int form = r.nextInt(4);
    run(
        p,
        seed,
        c ->
            switch (form) {
              // after a (depthwise 1×1) convolution and a ReLU, as in a CNN
              case 0 -> c.e.maxPool2d(convRelu(c, image), win);
              case 1 -> c.e.avgPool2d(convRelu(c, image), win);
              default -> {
                Node x = c.e.max(c.data(image), c.e.scalar(0.0));
                yield form == 2
                    ? c.e.maxPool2dPick(x, c.value(image), win)
                    : c.e.maxPool2dGrad(x, c.value(c.e.maxPool2d(x, win).shape()), win);
              }
            });
  }

  /** {@code relu(conv2d(x, k, groups = channels))} with a 1×1 kernel, x and k random values. */
  private static Node convRelu(Case c, Shape image) throws ShapeError {
    int channels = image.dim(3);
    Node conv =
        c.e.conv2d(
            c.value(image),
            c.value(Shape.of(1, 1, 1, channels)),
            new int[] {1},
            new int[] {0},
            new int[] {1},
            channels);
    return c.e.max(conv, c.e.scalar(0.0));
  }

  /**
   * {@code embedding} (a row gather) and its table gradient {@code scatter_add}, also as a value of
   * its own: few rows, so ids repeat and rows accumulate; ids batched or not, of rank 1 or 2.
   */
  @Property(tries = 10)
  void embeddingAndScatterAdd(
      @ForAll("precisions") Precision p,
      @ForAll long seed,
      @ForAll("extents") int width,
      @ForAll boolean batched,
      @ForAll boolean matrixIds)
      throws Exception {
    run(
        p,
        seed,
        c -> {
          int rows = 3;
          Shape is =
              batched
                  ? (matrixIds ? Shape.batched(2) : Shape.batched())
                  : (matrixIds ? Shape.of(4, 2) : Shape.of(5));
          Node ids = c.e.input("ids", new TensorType(DType.I32, is));
          Node table = c.param(Shape.of(rows, width));
          Node picked = c.e.embedding(c.e.tanh(table), ids);
          int[] vd = java.util.Arrays.copyOf(is.dims(), is.rank() + 1);
          vd[is.rank()] = width;
          Node scattered = c.e.scatterAdd(ids, c.e.exp(c.value(Shape.of(vd))), rows);
          return c.e.add(picked, c.e.sum(c.e.mul(scattered, table), false));
        });
  }

  /** stack along a new last axis, and the constant fills zeros, ones and full around a value. */
  @Property(tries = 10)
  void stackAndFills(
      @ForAll("shapes") Shape s, @ForAll("precisions") Precision p, @ForAll long seed)
      throws Exception {
    run(
        p,
        seed,
        c -> {
          Node x = c.value(s);
          Node filled =
              c.e.mul(c.e.add(x, c.e.fill(0, s)), c.e.add(c.e.fill(1, s), c.e.fill(0.5, s)));
          return c.e.tanh(c.e.stack(List.of(filled, c.e.mul(x, x)), s.rank()));
        });
  }
}
