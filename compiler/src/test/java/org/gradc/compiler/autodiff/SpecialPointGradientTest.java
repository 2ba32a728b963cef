package org.gradc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Evaluator;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Primitives;
import org.gradc.compiler.ir.ops.Input;
import org.gradc.compiler.ir.ops.Param;
import org.gradc.compiler.syntax.FrontEnd;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every registered primitive and every prelude function at its special points (0, ties, ±30, zero
 * initialization), compiled from a small model in f64, against central finite differences of the
 * mathematical function: first order (the gradient) and second order (Hessian-vector products: ⟨∇L,
 * v⟩ differentiated again, against central differences of ∇L along v).
 *
 * <p>Where a function is genuinely not differentiable (relu at 0, a tie of max, abs at 0, a tied
 * amax or max-pool window, sqrt at 0), the point is listed with the derivative of the loss that the
 * documented convention gives (docs/language.md, "Derivatives at kinks"), that value is what is
 * checked, and the point is left out of the second-order check. Everywhere else autodiff must agree
 * with finite differences. {@link #everyPrimitiveAndPreludeFunctionHasSpecialPoints} walks {@link
 * Primitives#all()} and the prelude, so a new function cannot escape.
 */
class SpecialPointGradientTest {
  private static final double TOLERANCE = 1e-6;
  private static final double SECOND_ORDER_TOLERANCE = 1e-5;
  private static final int BATCH = 2;

  /** Declarations a case's loss may use; only those it names are put in its model. */
  private static final List<String> DECLARATIONS =
      List.of(
          "input  r: float[7]",
          "input  t: float[7]",
          "input  R: float[3, 7]",
          "input  R3: float[3, 3]",
          "input  r3: float[3]",
          "input  y: int[3]",
          "param  p: float[7] = zeros",
          "param  q: float[7] = zeros",
          "param  P: float[3, 7] = zeros",
          "param  W: float[7, 3] = zeros",
          "param  b: float[3] = zeros",
          "param  X: float[2, 4, 4, 2] = zeros",
          "param  K: float[3, 3, 2, 4] = zeros",
          "input  RC: float[2, 4, 4, 4]",
          "input  RS: float[2, 2, 2, 4]",
          "input  RP: float[2, 2, 2, 2]",
          "input  RA: float[2, 4, 4, 2]",
          "input  RF: float[2, 32]",
          "input  RG: float[2, 2]",
          "input  RH: float[3, 2]",
          "param  S: float[3, 2] = zeros",
          "param  C: float[3, 2] = zeros",
          "param  Wr: float[7, 2] = zeros",
          "param  Ur: float[2, 2] = zeros",
          "param  br: float[2] = zeros",
          "param  Wg: float[7, 6] = zeros",
          "param  Ug: float[2, 6] = zeros",
          "param  bg: float[6] = zeros",
          "param  cg: float[6] = zeros",
          "param  Wl: float[7, 8] = zeros",
          "param  Ul: float[2, 8] = zeros",
          "param  bl: float[8] = zeros",
          "state  mu: float[7] = zeros",
          "state  var: float[7] = ones");

  /** 0, ±30 and ordinary values, for elementwise functions. */
  private static final double[] POINTS = {0, 30, -30, 1, -1, 0.5, -2};

  /** With {@link #TIED}: ties at indices 0, 1, 2 (one of them at 0), the rest apart. */
  private static final double[] TIES_P = {0, 1, -2, 30, -30, 0.5, 0};

  private static final double[] TIED = {0, 1, -2, -30, 30, 0.25, 3};

  /** Rows: a tie of two at the maximum, all zeros (zero init: seven tied), distinct with ±30. */
  private static final double[] ROWS = {
    2, 2, 1, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30, -30, 1, -1, 0.5, -2, 0
  };

  /**
   * One loss at one point.
   *
   * @param function the primitive or prelude function the case is about; its loss must call it
   */
  record Case(
      String function,
      String loss,
      Map<String, double[]> values,
      Map<String, Map<Integer, Double>> kinks,
      boolean secondOrder) {

    static Case of(String function, String loss) {
      return new Case(function, loss, new LinkedHashMap<>(), new LinkedHashMap<>(), true);
    }

    Case at(String name, double... v) {
      values.put(name, v);
      return this;
    }

    /** Element {@code i} of {@code param} is a kink where the convention gives {@code dLoss}. */
    Case kink(String param, int i, double dLoss) {
      kinks.computeIfAbsent(param, k -> new HashMap<>()).put(i, dLoss);
      return this;
    }

    /** Kinks at several elements, with one derivative. */
    Case kinks(String param, double dLoss, int... indices) {
      for (int i : indices) {
        kink(param, i, dLoss);
      }
      return this;
    }

    Case firstOrderOnly() {
      return new Case(function, loss, values, kinks, false);
    }

    @Override
    public String toString() {
      return function + ": loss " + loss;
    }
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    // ---- elementwise primitives
    c.add(Case.of("add", "sum(square(add(p, q)) * r)").at("p", TIES_P).at("q", TIED));
    c.add(Case.of("sub", "sum(square(sub(p, q)) * r)").at("p", TIES_P).at("q", TIED));
    c.add(Case.of("mul", "sum(mul(p, q) * r)").at("p", TIES_P).at("q", TIED));
    c.add(Case.of("div", "sum(div(p, q) * r)").at("p", POINTS).at("q", 1, -1, 30, -30, 2, .5, -3));
    c.add(Case.of("neg", "sum(square(neg(p)) * r)").at("p", POINTS));
    c.add(
        Case.of("pow", "sum(pow(p, 2) * r + pow(p, 3) + pow(p, 0) + pow(p, 1) * r)")
            .at("p", POINTS));
    c.add(
        Case.of("pow", "sum(pow(q, 0.5) + pow(q, -1.5) * r)").at("q", 1, 0.25, 30, 4, 2, 9, 1000));
    // x^0.5 has an infinite slope at 0 (a kink in the sense that no finite derivative exists)
    c.add(Case.of("pow", "sum(pow(q, 0.5))").at("q", 0, 1, 30, 0.25, 4, 2, 9).kink("q", 0, inf()));
    c.add(Case.of("exp", "sum(exp(p) * r)").at("p", 0, -30, 1, -1, 0.5, -2, 2));
    c.add(Case.of("exp", "sum(exp(p))").at("p", 30, 29, 31, 30.5, 28, 30, 29.5));
    c.add(Case.of("log", "sum(log(q) * r)").at("q", 1, 0.1, 30, 1000, 2, 0.5, 0.05));
    c.add(Case.of("sqrt", "sum(sqrt(q) * r)").at("q", 1, 0.1, 30, 1000, 2, 0.5, 0.05));
    c.add(Case.of("sqrt", "sum(sqrt(q))").at("q", 0, 1, 30, 0.25, 4, 2, 9).kink("q", 0, inf()));
    c.add(Case.of("tanh", "sum(tanh(p) * r)").at("p", POINTS));
    c.add(Case.of("sigmoid", "sum(sigmoid(p) * r)").at("p", POINTS));
    c.add(Case.of("softplus", "sum(softplus(p) * r)").at("p", POINTS));
    c.add(Case.of("log_sigmoid", "sum(log_sigmoid(p) * r)").at("p", POINTS));
    c.add(Case.of("abs", "sum(abs(p))").at("p", POINTS).kink("p", 0, 0));
    c.add(
        Case.of("max", "sum(max(p, q))")
            .at("p", TIES_P)
            .at("q", TIED)
            .kinks("p", 0, 0, 1, 2)
            .kinks("q", 1, 0, 1, 2));
    c.add(
        Case.of("min", "sum(min(p, q))")
            .at("p", TIES_P)
            .at("q", TIED)
            .kinks("p", 0, 0, 1, 2)
            .kinks("q", 1, 0, 1, 2));
    // where(a ? b, p, q) is continuous at a tie; which operand a tie's gradient reaches is the
    // comparison's value there (lt gt ne: false, le ge eq: true)
    for (String cmp : List.of("lt", "gt", "ne")) {
      c.add(
          Case.of(cmp, "sum(where(" + cmp + "(p, q), p, q))")
              .at("p", TIES_P)
              .at("q", TIED)
              .kinks("p", 0, 0, 1, 2)
              .kinks("q", 1, 0, 1, 2));
    }
    for (String cmp : List.of("le", "ge", "eq")) {
      c.add(
          Case.of(cmp, "sum(where(" + cmp + "(p, q), p, q))")
              .at("p", TIES_P)
              .at("q", TIED)
              .kinks("p", 1, 0, 1, 2)
              .kinks("q", 0, 0, 1, 2));
    }
    c.add(
        Case.of("where", "sum(where(gt(p, q), square(p), mul(p, q)) * r)")
            .at("p", POINTS)
            .at("q", 1, -30, 30, 0, 2, 0.25, -3));
    // stop_gradient's derivative is 0 by definition: d/dp sum(stop_gradient(p) * p) = p
    c.add(
        Case.of("stop_gradient", "sum(mul(stop_gradient(p), p))")
            .at("p", POINTS)
            .kinks("p", 0, 0)
            .kinks("p", 30, 1)
            .kinks("p", -30, 2)
            .kinks("p", 1, 3)
            .kinks("p", -1, 4)
            .kinks("p", 0.5, 5)
            .kinks("p", -2, 6)
            .firstOrderOnly());
    // ---- structure, at zero initialization and with ±30
    c.add(Case.of("matmul", "sum(matmul(P, W) * R3 + square(matmul(P, W)))").at("P", ROWS));
    c.add(Case.of("matmul", "sum(square(matmul(P, W)) * R3)").at("P", ROWS).at("W", rows(7, 3)));
    c.add(
        Case.of("transpose", "sum(transpose(P) * W + square(transpose(P)) * transpose(R))")
            .at("P", ROWS));
    c.add(Case.of("reshape", "sum(reshape(P, [7, 3]) * W)").at("P", ROWS).at("W", rows(7, 3)));
    c.add(Case.of("broadcast_to", "sum(broadcast_to(p, [3, 7]) * P)").at("p", POINTS));
    c.add(Case.of("sum", "sum(square(sum(P, axes = 1)) * r3)").at("P", ROWS));
    c.add(Case.of("mean", "sum(square(mean(P, axes = 0)) * r)").at("P", ROWS));
    // a tied maximum shares the cotangent evenly among the tied elements
    c.add(
        Case.of("amax", "sum(amax(P, axes = 1) * r3)")
            .at("P", ROWS)
            .at("r3", 0.5, -2, 3)
            .kinks("P", 0.25, 0, 1)
            .kinks("P", -2.0 / 7, 7, 8, 9, 10, 11, 12, 13));
    c.add(Case.of("one_hot", "sum(square(one_hot(y, 7) * P) * R)").at("P", ROWS));
    c.add(Case.of("gather", "sum(square(gather(P, y)) * r3)").at("P", ROWS));
    c.add(Case.of("concat", "sum(square(concat(p, q)) * concat(r, t))").at("p", POINTS));
    c.add(Case.of("slice", "sum(square(slice(P, 1, 2, 5)) * slice(R, 1, 2, 5))").at("P", ROWS));
    // ---- convolution and pooling: an image with 0 and ±30, a zero-initialized kernel
    c.add(
        Case.of(
                "conv2d",
                "sum(square(conv2d(X, K, padding = 1)) * RC + conv2d(X, K, padding = 1) * RC)")
            .at("X", image(false)));
    c.add(
        Case.of("conv2d_same", "sum(square(conv2d_same(X, K, stride = 2)) * RS)")
            .at("X", image(false))
            .at("K", kernel()));
    // zero initialization ties every window: the first element (row-major) takes the gradient
    Case ties = Case.of("max_pool2d", "sum(max_pool2d(X) * RP)").at("X", new double[64]);
    double[] rp = new double[16];
    for (int i = 0; i < rp.length; i++) {
      rp[i] = 0.1 * (i + 1);
    }
    ties.at("RP", rp);
    for (int i = 0; i < 64; i++) {
      int ch = i % 2;
      int col = i / 2 % 4;
      int row = i / 8 % 4;
      int b = i / 32;
      boolean first = row % 2 == 0 && col % 2 == 0;
      ties.kink("X", i, first ? rp[((b * 2 + row / 2) * 2 + col / 2) * 2 + ch] : 0);
    }
    c.add(ties);
    c.add(
        Case.of(
                "max_pool2d",
                "sum(square(max_pool2d(X, window = 3, stride = 1, padding = 1)) * RA)")
            .at("X", image(true)));
    c.add(
        Case.of(
                "avg_pool2d",
                "sum(square(avg_pool2d(X, window = 3, stride = 2, padding = 1)) * RP)")
            .at("X", image(false)));
    c.add(Case.of("flatten", "sum(square(flatten(X)) * RF)").at("X", image(false)));
    // ---- constructors, stack and embedding (ids in 0 .. 6 pick rows of W, repeats accumulate)
    c.add(Case.of("zeros", "sum(square(p + zeros([7])) * r)").at("p", POINTS));
    c.add(Case.of("ones", "sum(square(p * ones([7])) * r)").at("p", POINTS));
    c.add(Case.of("full", "sum(square(p * full([7], 0.5)) * r)").at("p", POINTS));
    c.add(
        Case.of("stack", "sum(square(stack([p, q], axis = 0)) * stack([r, t], axis = 0))")
            .at("p", TIES_P)
            .at("q", TIED));
    c.add(Case.of("embedding", "sum(square(embedding(W, y)) * R3)").at("y", 0, 0, 6));
    c.add(
        Case.of("embedding", "sum(square(embedding(W, y)) * R3)")
            .at("y", 1, 1, 1)
            .at("W", rows(7, 3)));
    // ---- the recurrent cells: zero-initialized weights and state, then ordinary values
    c.add(Case.of("gate", "sum(square(gate(P, 1, 2)) * RH)").at("P", ROWS));
    c.add(Case.of("rnn_cell", "sum(square(rnn_cell(P, S, Wr, Ur, br)) * RH)").at("P", ROWS));
    c.add(
        Case.of("rnn_cell", "sum(rnn_cell(P, S, Wr, Ur, br) * RH)")
            .at("P", ROWS)
            .at("Wr", rows(7, 2))
            .at("S", rows(3, 2)));
    c.add(Case.of("gru_cell", "sum(square(gru_cell(P, S, Wg, Ug, bg, cg)) * RH)").at("P", ROWS));
    c.add(
        Case.of("gru_cell", "sum(gru_cell(P, S, Wg, Ug, bg, cg) * RH)")
            .at("P", ROWS)
            .at("Wg", rows(7, 6))
            .at("Ug", rows(2, 6))
            .at("S", rows(3, 2)));
    c.add(Case.of("lstm_c", "sum(square(lstm_c(P, S, C, Wl, Ul, bl)) * RH)").at("P", ROWS));
    c.add(
        Case.of("lstm_h", "sum(lstm_h(P, S, C, Wl, Ul, bl) * RH)")
            .at("P", ROWS)
            .at("Wl", rows(7, 8))
            .at("Ul", rows(2, 8))
            .at("S", rows(3, 2))
            .at("C", rows(3, 2)));
    c.add(Case.of("lstm_h", "sum(square(lstm_h(P, S, C, Wl, Ul, bl)) * RH)").at("P", ROWS));
    // ---- modes: training-mode dropout (the mask is keyed, so fixed), batch statistics; the
    // all-zero row of ROWS is a row of zero variance for layer_norm (eps keeps it smooth)
    c.add(Case.of("dropout", "sum(square(dropout(p, rate = 0.5)) * r)").at("p", POINTS));
    c.add(Case.of("dropout", "sum(dropout(P, rate = 0.25) * R)").at("P", ROWS));
    // batch statistics over 3 rows: columns of spread values with zeros among them (a column of
    // near-equal values has a normalization slope of 1/sqrt(eps), beyond finite differences)
    double[] spread = {1, -1, 2, .5, -2, 3, 0, 0, 1, -1, 2, -3, .5, 1, -1, 0, 1, -2, 1, -1, 2};
    c.add(Case.of("batch_norm", "sum(batch_norm(P, q, t, mu, var) * R)").at("P", spread));
    c.add(
        Case.of("batch_norm", "sum(square(batch_norm(P, q, t, mu, var)) * R)")
            .at("P", spread)
            .at("q", POINTS));
    c.add(Case.of("layer_norm", "sum(layer_norm(P, q, t) * R)").at("P", ROWS).at("q", POINTS));
    c.add(Case.of("layer_norm", "sum(square(layer_norm(P, q, t)) * R)").at("P", ROWS));
    // ---- the prelude
    c.add(
        Case.of("global_avg_pool2d", "sum(square(global_avg_pool2d(X)) * RG)")
            .at("X", image(false)));
    c.add(Case.of("relu", "sum(relu(p))").at("p", POINTS).kink("p", 0, 0));
    c.add(
        Case.of("leaky_relu", "sum(leaky_relu(p, alpha = 0.1))").at("p", POINTS).kink("p", 0, .1));
    c.add(Case.of("silu", "sum(silu(p) * r)").at("p", POINTS));
    c.add(Case.of("gelu", "sum(gelu(p) * r)").at("p", POINTS));
    c.add(Case.of("square", "sum(square(p) * r)").at("p", POINTS));
    // the bounds belong to the interval, as in PyTorch's clamp
    c.add(Case.of("clip", "sum(clip(p, -1, 1))").at("p", POINTS).kinks("p", 1, 3, 4));
    c.add(Case.of("dense", "sum(square(dense(P, W, b)) * R3 + dense(P, W, b))").at("P", ROWS));
    c.add(Case.of("linear", "sum(linear(P, W) * R3)").at("P", ROWS));
    // shifted is only meaningful where the shift cancels: weights whose rows sum to zero
    c.add(Case.of("shifted", "sum(shifted(P, 1) * R)").at("P", ROWS).at("R", zeroSumRows()));
    c.add(Case.of("logsumexp", "sum(logsumexp(P) * r3)").at("P", ROWS));
    c.add(Case.of("log_softmax", "sum(log_softmax(P) * R)").at("P", ROWS));
    c.add(Case.of("log_softmax", "sum(log_softmax(P, axis = 0) * R)").at("P", ROWS));
    c.add(Case.of("softmax", "sum(softmax(P) * R)").at("P", ROWS));
    c.add(Case.of("cross_entropy", "sum(cross_entropy(P, y, classes = 7) * r3)").at("P", ROWS));
    c.add(
        Case.of(
                "binary_cross_entropy_with_logits",
                "sum(binary_cross_entropy_with_logits(p, t) * r)")
            .at("p", POINTS));
    c.add(Case.of("squared_error", "sum(squared_error(p, q) * r)").at("p", TIES_P).at("q", TIED));
    c.add(Case.of("mse", "mse(p, q)").at("p", TIES_P).at("q", TIED));
    // |p − q| at p = q: abs′(0) = 0
    c.add(
        Case.of("mae", "mae(p, q)")
            .at("p", TIES_P)
            .at("q", TIED)
            .kinks("p", 0, 0, 1, 2)
            .kinks("q", 0, 0, 1, 2));
    c.add(Case.of("l2", "l2(p) + l2(W)").at("p", POINTS));
    return c;
  }

  @Test
  void everyPrimitiveAndPreludeFunctionHasSpecialPoints() {
    Set<String> covered = cases().stream().map(Case::function).collect(Collectors.toSet());
    Set<String> missing = new TreeSet<>();
    Stream.concat(Primitives.all().stream().map(Primitive::name), preludeFunctions().stream())
        .filter(f -> !covered.contains(f))
        .forEach(missing::add);
    assertTrue(missing.isEmpty(), "no special-point case for " + missing);
    for (String f : preludeFunctions()) {
      assertTrue(Primitives.lookup(f) == null, "the prelude's " + f + " shadows a primitive");
    }
    for (Case k : cases()) {
      assertTrue(
          Pattern.compile("\\b" + k.function() + "\\(").matcher(k.loss()).find(),
          k + " does not call " + k.function());
    }
  }

  private static Set<String> preludeFunctions() {
    return FrontEnd.preludeFunctions();
  }

  @TestFactory
  Stream<DynamicTest> gradientsAtSpecialPoints() {
    return cases().stream().map(k -> DynamicTest.dynamicTest(k.toString(), () -> check(k)));
  }

  static void check(Case k) throws Exception {
    Graph forward = forward(k);
    Map<String, double[]> values = values(forward, k);
    Evaluator.Result r = Evaluator.evaluate(Autodiff.differentiate(forward), values, BATCH);
    for (String p : forward.params().keySet()) {
      double[] analytic = r.gradient(p);
      Map<Integer, Double> kinks = k.kinks().getOrDefault(p, Map.of());
      for (int i = 0; i < analytic.length; i++) {
        Double convention = kinks.get(i);
        double expected = convention != null ? convention : numeric(forward, values, p, i);
        double err = error(analytic[i], expected);
        if (!(err <= (convention != null ? 1e-12 : TOLERANCE))) {
          fail(
              k
                  + ": d loss / d "
                  + p
                  + "["
                  + i
                  + "] at "
                  + values.get(p)[i]
                  + ": autodiff "
                  + analytic[i]
                  + (convention != null ? ", documented convention " : ", finite differences ")
                  + expected);
        }
      }
    }
    if (k.secondOrder()) {
      Map<String, Set<Integer>> skip = new HashMap<>();
      k.kinks().forEach((p, at) -> skip.put(p, at.keySet()));
      GradientCheck.hessianVectorProduct(
          forward, values, BATCH, skip, k.loss().hashCode(), SECOND_ORDER_TOLERANCE, k.toString());
    }
  }

  /** The central difference of the loss in element {@code i} of {@code param}. */
  private static double numeric(Graph forward, Map<String, double[]> values, String param, int i) {
    double x = values.get(param)[i];
    double h = 1e-5 * Math.max(1, Math.abs(x));
    Map<String, double[]> v = new HashMap<>(values);
    double[] up = values.get(param).clone();
    double[] down = values.get(param).clone();
    up[i] = x + h;
    down[i] = x - h;
    v.put(param, up);
    double lp = Evaluator.evaluate(forward, v, BATCH).loss();
    v.put(param, down);
    double lm = Evaluator.evaluate(forward, v, BATCH).loss();
    return (lp - lm) / (up[i] - down[i]);
  }

  /** {@link GradientCheck#relativeError}, with equal infinities agreeing. */
  private static double error(double a, double b) {
    return a == b ? 0 : GradientCheck.relativeError(a, b);
  }

  private static Graph forward(Case k) throws Exception {
    StringBuilder text = new StringBuilder("model Special\n");
    for (String d : DECLARATIONS) {
      String name = d.split("\\s+")[1].replace(":", "");
      if (Pattern.compile("\\b" + name + "\\b").matcher(k.loss()).find()) {
        text.append(d).append('\n');
      }
    }
    text.append("loss ").append(k.loss()).append('\n');
    return FrontEnd.check(new SourceFile(k.function() + ".grad", text.toString()), DType.F64)
        .graph();
  }

  /** The case's values, and seeded random ones for every other input and parameter. */
  private static Map<String, double[]> values(Graph g, Case k) {
    Random rnd = new Random(k.loss().hashCode());
    Map<String, double[]> values = new HashMap<>();
    for (Node n : g.nodes()) {
      String name =
          n.op() instanceof Input i
              ? i.inputName()
              : n.op() instanceof Param p
                  ? p.paramName()
                  : n.op() instanceof org.gradc.compiler.ir.ops.State st ? st.stateName() : null;
      if (name == null) {
        continue;
      }
      int size = (int) n.shape().size(BATCH);
      double[] v = k.values().get(name);
      if (v == null) {
        v = new double[size];
        for (int i = 0; i < size; i++) {
          v[i] =
              n.dtype() == DType.I32
                  ? rnd.nextInt(7)
                  : name.equals("t") || name.equals("var")
                      ? rnd.nextDouble() + (name.equals("var") ? 0.5 : 0)
                      : awayFromZero(rnd);
        }
      }
      assertEquals(size, v.length, k + ": values of " + name);
      values.put(name, v);
    }
    return values;
  }

  private static double[] rows(int rows, int cols) {
    double[] v = new double[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = POINTS[i % POINTS.length] / 10 + 0.01 * i;
    }
    return v;
  }

  /**
   * A random weight in ±[0.2, 1]: a weight near 0 would make a derivative smaller than the finite
   * differences' rounding noise.
   */
  private static double awayFromZero(Random rnd) {
    return (0.2 + 0.8 * rnd.nextDouble()) * (rnd.nextBoolean() ? 1 : -1);
  }

  /** A [2, 4, 4, 2] image of 0, ±30 and ordinary values; with distinct values if asked. */
  private static double[] image(boolean distinct) {
    double[] v = new double[64];
    for (int i = 0; i < v.length; i++) {
      v[i] = POINTS[i % POINTS.length] + (distinct ? 0.01 * i : 0);
    }
    return v;
  }

  /** A [3, 3, 2, 4] kernel of small values. */
  private static double[] kernel() {
    double[] v = new double[72];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.sin(i + 1) / 3;
    }
    return v;
  }

  private static double[] zeroSumRows() {
    double[] v = new double[21];
    for (int row = 0; row < 3; row++) {
      double s = 0;
      for (int j = 0; j < 6; j++) {
        v[row * 7 + j] = Math.sin(row * 7 + j + 1);
        s += v[row * 7 + j];
      }
      v[row * 7 + 6] = -s;
    }
    return v;
  }

  private static double inf() {
    return Double.POSITIVE_INFINITY;
  }
}
