package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;

/**
 * {@code batch_norm(x, gamma, beta, mu, var, momentum = 0.1, eps = 1e-5)}: a composite of
 * differentiable primitives (no op of its own, so its gradient is autodiff's), normalizing over
 * every axis but the last.
 *
 * <ul>
 *   <li>Training: {@code (x − m) / √(v + eps) · gamma + beta} with the batch's mean {@code m} and
 *       biased variance {@code v}; the states {@code mu} and {@code var} get the updates {@code (1
 *       − momentum)·mu + momentum·m} and {@code (1 − momentum)·var + momentum·v·N/(N − 1)}
 *       (PyTorch's conventions: the running variance is unbiased; {@code N} counts the values per
 *       channel).
 *   <li>Evaluation: one scale-and-shift, {@code x · s + (beta − mu · s)} with {@code s = gamma /
 *       √(var + eps)}.
 * </ul>
 */
public final class BatchNorm {
  private BatchNorm() {}

  public static final Primitive PRIMITIVE =
      new Def(
          "batch_norm",
          List.of(
              Parameter.tensor("x"),
              Parameter.tensor("gamma"),
              Parameter.tensor("beta"),
              Parameter.tensor("mu"),
              Parameter.tensor("var"),
              new Parameter("momentum", Parameter.Kind.FLOAT, 0.1),
              new Parameter("eps", Parameter.Kind.FLOAT, 1e-5)),
          "normalizes x over every axis but the last: batch statistics in training (updating the"
              + " states mu and var), mu and var in evaluation",
          (e, a) ->
              apply(
                  e,
                  a.tensor("x"),
                  a.tensor("gamma"),
                  a.tensor("beta"),
                  a.tensor("mu"),
                  a.tensor("var"),
                  a.real("momentum"),
                  a.real("eps")));

  static Node apply(
      Emit e, Node x, Node gamma, Node beta, Node mu, Node var, double momentum, double eps)
      throws ShapeError {
    Graph.Builder b = e.builder();
    if (!x.dtype().isFloat() || x.shape().rank() < 2) {
      throw new ShapeError(
          "E0332",
          "batch_norm normalizes a float tensor of rank 2 or more, but x is " + x.type(),
          "x is [batch, channels] or [batch, ..., channels]; the last axis holds the channels");
    }
    int channels = x.shape().dim(x.shape().rank() - 1);
    Shape c = Shape.of(channels);
    for (Node t : List.of(gamma, beta, mu, var)) {
      if (!t.shape().equals(c) || t.dtype() != x.dtype()) {
        throw new ShapeError(
            "E0332",
            "batch_norm: gamma, beta, mu and var must be "
                + x.dtype().name().toLowerCase()
                + "["
                + channels
                + "] (one per channel of x "
                + x.type()
                + "), but one is "
                + t.type());
      }
    }
    String muName = stateName(mu, "mu");
    String varName = stateName(var, "var");
    if (!(momentum >= 0 && momentum <= 1) || !(eps > 0)) {
      throw new ShapeError(
          "E0330",
          "batch_norm needs 0 <= momentum <= 1 and eps > 0, but momentum = "
              + momentum
              + ", eps = "
              + eps);
    }
    b.markModal();
    if (b.mode() == Graph.Mode.EVAL) {
      Node scale = e.div(gamma, e.sqrt(e.add(var, e.scalar(eps))));
      Node shift = e.sub(beta, e.mul(mu, scale));
      return e.add(e.mul(x, scale), shift);
    }
    if (b.updated(muName) || b.updated(varName)) {
      throw new ShapeError(
          "E0331",
          "batch_norm: the state `"
              + (b.updated(muName) ? muName : varName)
              + "` already holds another batch_norm's running statistics",
          "declare one pair of states per batch_norm");
    }
    int[] axes = new int[x.shape().rank() - 1];
    long perRow = 1;
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i;
      if (i > 0 || !x.shape().isBatched()) {
        perRow *= x.shape().dim(i);
      }
    }
    if (!x.shape().isBatched() && perRow == 1) {
      throw new ShapeError(
          "E0332",
          "batch_norm over one value per channel: x is " + x.type(),
          "batch statistics need at least two values per channel");
    }
    Node m = e.mean(x, false, axes);
    Node d = e.sub(x, m);
    Node v = e.mean(e.mul(d, d), false, axes);
    Node y = e.add(e.mul(d, e.div(gamma, e.sqrt(e.add(v, e.scalar(eps))))), beta);
    Node count = e.scalar(perRow);
    if (x.shape().isBatched()) {
      count = e.mul(e.batchSize(x.dtype()), count);
    }
    Node unbiased = e.div(count, e.sub(count, e.scalar(1)));
    Node keep = e.scalar(1 - momentum);
    Node rate = e.scalar(momentum);
    b.update(muName, e.add(e.mul(mu, keep), e.mul(e.stopGradient(m), rate)));
    b.update(varName, e.add(e.mul(var, keep), e.mul(e.stopGradient(e.mul(v, unbiased)), rate)));
    return y;
  }

  private static String stateName(Node n, String param) throws ShapeError {
    if (n.op() instanceof State s) {
      return s.stateName();
    }
    throw new ShapeError(
        "E0331",
        "batch_norm: `" + param + "` must be a declared state, but it is computed",
        "declare it: `state "
            + param
            + ": float[C] = "
            + (param.equals("var") ? "ones" : "zeros")
            + "`; training updates it, evaluation reads it");
  }
}
