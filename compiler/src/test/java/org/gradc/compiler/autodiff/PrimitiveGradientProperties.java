package org.gradc.compiler.autodiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.PrimitiveCoverage;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.compiler.opt.Pipeline;

/**
 * For every primitive, on random shapes (batched or not) and random values kept away from kinks,
 * the autodiff gradient of {@code sum(r ⊙ op(params))} (r a random input, so every output element
 * matters differently) agrees with central finite differences to 1e-6.
 */
class PrimitiveGradientProperties {
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
          "softplus",
          "log_sigmoid",
          "flatten",
          "conv2d",
          "conv2d_same",
          "max_pool2d",
          "avg_pool2d",
          // stack and the fills below; embedding in SequenceGradientProperties (repeated ids,
          // whole unrolled models) and SpecialPointGradientTest
          "stack",
          "zeros",
          "ones",
          "full",
          "embedding");

  @net.jqwik.api.Example
  void coversEveryPrimitive() {
    PrimitiveCoverage.assertCovers("gradient property (autodiff vs finite differences)", COVERED);
  }

  /** How parameter values are drawn, to stay inside an op's smooth domain. */
  enum Domain {
    ANY,
    POSITIVE,
    AWAY_FROM_ZERO
  }

  @FunctionalInterface
  interface Body {
    Node apply(Emit e, List<Node> p) throws ShapeError;
  }

  /** One check: parameters of the given shapes, values from a domain, extra int inputs. */
  private static final class Case {
    final Graph.Builder b = Graph.builder().precision(DType.F64);
    final Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    final Map<String, double[]> values = new HashMap<>();
    final Random rnd;
    final int batch;

    Case(long seed, int batch) {
      this.rnd = new Random(seed);
      this.batch = batch;
    }

    Node param(String name, Shape s, Domain d) throws ShapeError {
      double[] v = new double[(int) s.size(batch)];
      for (int i = 0; i < v.length; i++) {
        double u = rnd.nextDouble();
        v[i] =
            switch (d) {
              case ANY -> 4 * u - 2;
              case POSITIVE -> 0.5 + 1.5 * u;
              case AWAY_FROM_ZERO -> (0.2 + 1.8 * u) * (rnd.nextBoolean() ? 1 : -1);
            };
      }
      values.put(name, v);
      return e.param(name, new TensorType(DType.F64, s));
    }

    /** Model state {@code name} of shape {@code s}, positive (a running variance must be). */
    Node state(String name, Shape s) throws ShapeError {
      double[] v = new double[(int) s.size(1)];
      for (int i = 0; i < v.length; i++) {
        v[i] = 0.5 + rnd.nextDouble();
      }
      values.put(name, v);
      return e.state(name, new TensorType(DType.F64, s));
    }

    Node labels(String name, Shape s, int classes) throws ShapeError {
      double[] v = new double[(int) s.size(batch)];
      for (int i = 0; i < v.length; i++) {
        v[i] = rnd.nextInt(classes);
      }
      values.put(name, v);
      return e.input(name, new TensorType(DType.I32, s));
    }

    /** Makes {@code sum(r ⊙ out)} the loss and runs the check. */
    void check(Node out) throws ShapeError, CompileException {
      double[] r = new double[(int) out.shape().size(batch)];
      for (int i = 0; i < r.length; i++) {
        r[i] = rnd.nextDouble() * 2 - 1;
      }
      values.put("r", r);
      Node weights = e.input("r", out.type());
      b.loss(e.sum(e.mul(out, weights), false));
      Graph forward = b.build();
      GradientCheck.check(forward, values, batch);
      // The optimizer keeps every gradient, up to rounding.
      Graph joint = Autodiff.differentiate(forward);
      Graph optimized = Pipeline.standard().run(joint).graph();
      Evaluator.Result before = Evaluator.evaluate(joint, values, batch);
      Evaluator.Result after = Evaluator.evaluate(optimized, values, batch);
      for (String p : forward.params().keySet()) {
        double[] x = before.gradient(p);
        double[] y = after.gradient(p);
        for (int i = 0; i < x.length; i++) {
          if (GradientCheck.relativeError(x[i], y[i]) > 1e-12) {
            throw new AssertionError(
                "optimizing changed d/d" + p + "[" + i + "]: " + x[i] + " -> " + y[i]);
          }
        }
      }
    }

    /** Skips a case where some elements of {@code a − c} come within {@code gap} of 0. */
    void assumeApart(Node a, Node c, double gap) throws ShapeError {
      Node d = e.abs(e.sub(a, c));
      double[] v = Evaluator.evaluate(b.build(), values, batch).value(d);
      for (double x : v) {
        Assume.that(x > gap);
      }
    }
  }

  // ---- shapes

  @Provide
  Arbitrary<Shape> shapes() {
    Arbitrary<int[]> dims = Arbitraries.integers().between(1, 3).array(int[].class).ofMaxSize(3);
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

  /** A shape that broadcasts to {@code s}: some leading axes dropped, some extents set to 1. */
  private static Shape broadcastable(Shape s, Random rnd) {
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

  private static void unary(Shape s, long seed, int batch, Domain d, Body body) throws Exception {
    Case c = new Case(seed, batch);
    Node x = c.param("x", s, d);
    c.check(body.apply(c.e, List.of(x)));
  }

  @Property(tries = 15)
  void neg(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    unary(s, seed, batch, Domain.ANY, (e, p) -> e.neg(p.get(0)));
  }

  @Property(tries = 15)
  void exp(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    unary(s, seed, batch, Domain.ANY, (e, p) -> e.exp(p.get(0)));
  }

  @Property(tries = 15)
  void log(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    unary(s, seed, batch, Domain.POSITIVE, (e, p) -> e.log(p.get(0)));
  }

  @Property(tries = 15)
  void sqrt(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    unary(s, seed, batch, Domain.POSITIVE, (e, p) -> e.sqrt(p.get(0)));
  }

  @Property(tries = 15)
  void tanh(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    unary(s, seed, batch, Domain.ANY, (e, p) -> e.tanh(p.get(0)));
  }

  @Property(tries = 15)
  void sigmoid(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    unary(s, seed, batch, Domain.ANY, (e, p) -> e.sigmoid(p.get(0)));
  }

  @Property(tries = 15)
  void softplus(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    unary(s, seed, batch, Domain.ANY, (e, p) -> e.softplus(p.get(0)));
  }

  @Property(tries = 15)
  void logSigmoid(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    unary(s, seed, batch, Domain.ANY, (e, p) -> e.logSigmoid(p.get(0)));
  }

  @Property(tries = 15)
  void abs(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    unary(s, seed, batch, Domain.AWAY_FROM_ZERO, (e, p) -> e.abs(p.get(0)));
  }

  @Property(tries = 20)
  void pow(
      @ForAll("shapes") Shape s,
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 3) int batch,
      @ForAll("exponents") double exponent)
      throws Exception {
    unary(s, seed, batch, Domain.POSITIVE, (e, p) -> e.pow(p.get(0), exponent));
  }

  @Provide
  Arbitrary<Double> exponents() {
    return Arbitraries.of(2.0, 3.0, 0.5, -1.5, 1.0, 0.0);
  }

  // ---- binary, with broadcasting both ways

  private static void binary(
      Shape s, long seed, int batch, Domain da, Domain db, boolean apart, Body body)
      throws Exception {
    Case c = new Case(seed, batch);
    Shape other = broadcastable(s, c.rnd);
    boolean swap = c.rnd.nextBoolean();
    Node a = c.param("a", swap ? other : s, da);
    Node b = c.param("b", swap ? s : other, db);
    if (apart) {
      c.assumeApart(a, b, 1e-3);
    }
    c.check(body.apply(c.e, List.of(a, b)));
  }

  @Property(tries = 20)
  void add(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    binary(s, seed, batch, Domain.ANY, Domain.ANY, false, (e, p) -> e.add(p.get(0), p.get(1)));
  }

  @Property(tries = 20)
  void sub(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    binary(s, seed, batch, Domain.ANY, Domain.ANY, false, (e, p) -> e.sub(p.get(0), p.get(1)));
  }

  @Property(tries = 20)
  void mul(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    binary(s, seed, batch, Domain.ANY, Domain.ANY, false, (e, p) -> e.mul(p.get(0), p.get(1)));
  }

  @Property(tries = 20)
  void div(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    binary(
        s,
        seed,
        batch,
        Domain.ANY,
        Domain.AWAY_FROM_ZERO,
        false,
        (e, p) -> e.div(p.get(0), p.get(1)));
  }

  @Property(tries = 20)
  void max(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    binary(s, seed, batch, Domain.ANY, Domain.ANY, true, (e, p) -> e.max(p.get(0), p.get(1)));
  }

  @Property(tries = 20)
  void min(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    binary(s, seed, batch, Domain.ANY, Domain.ANY, true, (e, p) -> e.min(p.get(0), p.get(1)));
  }

  @Property(tries = 20)
  void relu(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    unary(s, seed, batch, Domain.AWAY_FROM_ZERO, (e, p) -> e.max(p.get(0), e.scalar(0)));
  }

  @Property(tries = 20)
  void where(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    Case c = new Case(seed, batch);
    Node m = c.param("m", broadcastable(s, c.rnd), Domain.ANY);
    Node a = c.param("a", s, Domain.ANY);
    Node b = c.param("b", broadcastable(s, c.rnd), Domain.ANY);
    Node mask = c.e.compare(Scalar.BinaryFn.GT, m, c.e.scalar(0));
    c.check(c.e.where(mask, a, b));
  }

  // ---- structure

  @Property(tries = 25)
  void matmul(
      @ForAll @IntRange(min = 1, max = 4) int m,
      @ForAll @IntRange(min = 1, max = 4) int k,
      @ForAll @IntRange(min = 1, max = 4) int n,
      @ForAll boolean batched,
      @ForAll boolean ta,
      @ForAll boolean tb,
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    Case c = new Case(seed, batch);
    int rows = batched ? Shape.BATCH : m;
    // With the batch axis contracted (ta) or as the result's rows.
    Shape sa = ta ? (batched ? Shape.batched(m) : Shape.of(k, m)) : Shape.of(rows, k);
    if (ta && batched) {
      Shape sb = tb ? Shape.of(n, 1) : Shape.batched(n);
      Assume.that(!tb);
      Node a = c.param("a", sa, Domain.ANY);
      Node b = c.param("b", sb, Domain.ANY);
      c.check(c.e.matmul(a, b, true, false));
      return;
    }
    Shape sb = tb ? Shape.of(n, k) : Shape.of(k, n);
    Node a = c.param("a", sa, Domain.ANY);
    Node b = c.param("b", sb, Domain.ANY);
    c.check(c.e.matmul(a, b, ta, tb));
  }

  @Property(tries = 20)
  void transpose(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    Case c = new Case(seed, batch);
    List<Integer> axes = new ArrayList<>();
    for (int i = s.isBatched() ? 1 : 0; i < s.rank(); i++) {
      axes.add(i);
    }
    java.util.Collections.shuffle(axes, c.rnd);
    int[] perm = new int[s.rank()];
    int at = 0;
    if (s.isBatched()) {
      perm[at++] = 0;
    }
    for (int a : axes) {
      perm[at++] = a;
    }
    Node x = c.param("x", s, Domain.ANY);
    c.check(c.e.transpose(x, perm));
  }

  @Property(tries = 20)
  void reshape(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    Case c = new Case(seed, batch);
    int n = (int) s.rowSize();
    Shape target = s.isBatched() ? Shape.batched(1, n) : Shape.of(n, 1);
    Node x = c.param("x", s, Domain.ANY);
    c.check(c.e.reshape(x, target));
  }

  @Property(tries = 20)
  void broadcastTo(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    Case c = new Case(seed, batch);
    Node x = c.param("x", broadcastable(s, c.rnd), Domain.ANY);
    c.check(c.e.broadcastTo(x, s));
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

  @Property(tries = 25)
  void sum(
      @ForAll("shapes") Shape s,
      @ForAll long seed,
      @ForAll boolean keepdims,
      @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    Case c = new Case(seed, batch);
    Node x = c.param("x", s, Domain.ANY);
    c.check(c.e.sum(x, keepdims, someAxes(s, c.rnd)));
  }

  @Property(tries = 25)
  void mean(
      @ForAll("shapes") Shape s,
      @ForAll long seed,
      @ForAll boolean keepdims,
      @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    Case c = new Case(seed, batch);
    Node x = c.param("x", s, Domain.ANY);
    c.check(c.e.mean(x, keepdims, someAxes(s, c.rnd)));
  }

  @Property(tries = 25)
  void amax(
      @ForAll("shapes") Shape s,
      @ForAll long seed,
      @ForAll boolean keepdims,
      @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    Case c = new Case(seed, batch);
    Node x = c.param("x", s, Domain.ANY);
    double[] v = c.values.get("x");
    for (int i = 0; i < v.length; i++) {
      for (int j = 0; j < i; j++) {
        Assume.that(Math.abs(v[i] - v[j]) > 1e-3);
      }
    }
    c.check(c.e.amax(x, keepdims, someAxes(s, c.rnd)));
  }

  @Property(tries = 20)
  void gatherAndOneHot(
      @ForAll @IntRange(min = 1, max = 5) int classes,
      @ForAll boolean batched,
      @ForAll boolean viaOneHot,
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    Case c = new Case(seed, batch);
    Shape rows = batched ? Shape.batched() : Shape.of(3);
    Node y = c.labels("y", rows, classes);
    int[] xd = rows.dims();
    int[] dims = java.util.Arrays.copyOf(xd, xd.length + 1);
    dims[xd.length] = classes;
    Node x = c.param("x", Shape.of(dims), Domain.ANY);
    c.check(
        viaOneHot
            ? c.e.sum(c.e.mul(x, c.e.oneHot(y, classes, DType.F64)), false, -1)
            : c.e.gather(x, y));
  }

  @Property(tries = 20)
  void concatAndSlice(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    Assume.that(s.rank() > (s.isBatched() ? 1 : 0));
    Case c = new Case(seed, batch);
    int axis = s.isBatched() ? 1 + c.rnd.nextInt(s.rank() - 1) : c.rnd.nextInt(s.rank());
    int[] dims = s.dims();
    dims[axis] = 1 + c.rnd.nextInt(3);
    Node a = c.param("a", s, Domain.ANY);
    Node b = c.param("b", Shape.of(dims), Domain.ANY);
    Node cat = c.e.concat(axis, List.of(a, b));
    int total = cat.shape().dim(axis);
    int start = c.rnd.nextInt(total);
    int end = start + 1 + c.rnd.nextInt(total - start);
    c.check(c.e.mul(c.e.slice(cat, axis, start, end), c.e.slice(cat, axis, start, end)));
  }

  /** Training-mode dropout: the mask (keyed, so fixed) scales the gradient as it scales x. */
  @Property(tries = 15)
  void dropout(
      @ForAll("shapes") Shape s,
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 3) int batch,
      @ForAll @net.jqwik.api.constraints.DoubleRange(min = 0, max = 0.9) double rate)
      throws Exception {
    unary(s, seed, batch, Domain.ANY, (e, p) -> e.mul(e.dropout(p.get(0), rate), p.get(0)));
  }

  /** Training-mode batch norm (batch statistics) over every axis but the last. */
  @Property(tries = 15)
  void batchNorm(
      @ForAll("normShapes") Shape s,
      @ForAll long seed,
      @ForAll @IntRange(min = 2, max = 3) int batch)
      throws Exception {
    Case c = new Case(seed, batch);
    Shape ch = Shape.of(s.dim(s.rank() - 1));
    Node x = c.param("x", s, Domain.ANY);
    Node gamma = c.param("gamma", ch, Domain.ANY);
    Node beta = c.param("beta", ch, Domain.ANY);
    Node y = c.e.batchNorm(x, gamma, beta, c.state("mu", ch), c.state("var", ch), 0.1, 1e-3);
    c.check(y);
  }

  @Property(tries = 10)
  void composite(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    // A node used several times, and a value reached through two paths.
    Case c = new Case(seed, batch);
    Node x = c.param("x", Shape.batched(3), Domain.ANY);
    Node w = c.param("w", Shape.of(3, 3), Domain.ANY);
    Node h = c.e.tanh(c.e.matmul(x, w));
    Node y = c.e.add(c.e.mul(h, h), c.e.matmul(h, w));
    c.check(c.e.exp(c.e.sub(y, c.e.amax(y, true, 1))));
  }

  @Property(tries = 6)
  void flatten(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch) throws Exception {
    unary(Shape.batched(3, 2, 4), seed, batch, Domain.ANY, (e, p) -> e.tanh(e.flatten(p.get(0))));
  }

  /** stack along a new last axis, of a value and a function of it. */
  @Property(tries = 10)
  void stack(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    unary(
        s,
        seed,
        batch,
        Domain.ANY,
        (e, p) -> e.tanh(e.stack(List.of(p.get(0), e.mul(p.get(0), p.get(0))), s.rank())));
  }

  /** zeros, ones and full: constant fills (leaves without a gradient) around a parameter. */
  @Property(tries = 10)
  void fills(
      @ForAll("shapes") Shape s, @ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int batch)
      throws Exception {
    unary(
        s,
        seed,
        batch,
        Domain.ANY,
        (e, p) ->
            e.mul(e.add(e.tanh(p.get(0)), e.fill(0, s)), e.add(e.fill(1, s), e.fill(0.5, s))));
  }
}
