package org.gradc.compiler.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gradc.compiler.ir.ops.Input;
import org.gradc.compiler.ir.ops.Param;

/**
 * The reference semantics of a graph: evaluates every node in f64, in topological order, by each
 * op's own {@link Op#evaluate}. Plain and slow on purpose: it is the oracle the generated code and
 * the optimizer passes are checked against.
 */
public final class Evaluator {
  private Evaluator() {}

  /**
   * Evaluates {@code graph}.
   *
   * @param values row-major values of every input and parameter, by name (ints and bools as exact
   *     doubles)
   * @param batch the run-time batch size (ignored by graphs without a batch axis)
   * @throws IllegalArgumentException naming the tensor when a value is missing or has the wrong
   *     length
   */
  public static Result evaluate(Graph graph, Map<String, double[]> values, int batch) {
    return evaluate(graph, values, batch, RandomOp.DEFAULT);
  }

  /**
   * As {@link #evaluate(Graph, Map, int)}, with the generator key dropout masks are drawn with;
   * {@code values} also holds every model state ({@code state mu: ...}) by name.
   */
  public static Result evaluate(
      Graph graph, Map<String, double[]> values, int batch, RandomOp.Key key) {
    Map<Node, double[]> results = new HashMap<>();
    for (Node n : graph.nodes()) {
      double[] v;
      if (n.op() instanceof Input in) {
        v = fed("input", in.inputName(), n, values, batch);
      } else if (n.op() instanceof Param p) {
        v = fed("param", p.paramName(), n, values, batch);
      } else if (n.op() instanceof org.gradc.compiler.ir.ops.State st) {
        v = fed("state", st.stateName(), n, values, batch);
      } else if (n.op() instanceof RandomOp r) {
        v = r.evaluate(n, batch, key);
      } else {
        List<double[]> args = new ArrayList<>(n.inputs().size());
        for (Node in : n.inputs()) {
          args.add(results.get(in));
        }
        v = n.op().evaluate(n, args, batch);
        if (v.length != n.shape().size(batch)) {
          throw new IllegalStateException(
              n + ": evaluation gave " + v.length + " values for batch " + batch);
        }
      }
      results.put(n, v);
    }
    return new Result(graph, results);
  }

  private static double[] fed(
      String kind, String name, Node n, Map<String, double[]> values, int batch) {
    double[] v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no value for " + kind + " " + name + ": " + n.type());
    }
    long expected = n.shape().size(batch);
    if (v.length != expected) {
      throw new IllegalArgumentException(
          kind
              + " "
              + name
              + ": "
              + n.type()
              + " with batch "
              + batch
              + " needs "
              + expected
              + " values, got "
              + v.length);
    }
    return v.clone();
  }

  /** The value of every node of one evaluation. */
  public static final class Result {
    private final Graph graph;
    private final Map<Node, double[]> values;

    private Result(Graph graph, Map<Node, double[]> values) {
      this.graph = graph;
      this.values = values;
    }

    /** The row-major values of any node of the graph. */
    public double[] value(Node n) {
      double[] v = values.get(n);
      if (v == null) {
        throw new IllegalArgumentException("not a node of this graph: " + n);
      }
      return v.clone();
    }

    public double[] output(String name) {
      return value(require(graph.outputs(), "output", name));
    }

    /**
     * Output {@code name} in training mode (equal to {@link #output} for a model without modes).
     */
    public double[] trainingOutput(String name) {
      return value(require(graph.trainingOutputs(), "output", name));
    }

    public double loss() {
      if (graph.loss() == null) {
        throw new IllegalStateException("the graph has no loss");
      }
      return values.get(graph.loss())[0];
    }

    /** The loss in evaluation mode (equal to {@link #loss()} for a model without modes). */
    public double evalLoss() {
      if (graph.evalLoss() == null) {
        throw new IllegalStateException("the graph has no loss");
      }
      return values.get(graph.evalLoss())[0];
    }

    /** The value state {@code name} takes after a training step. */
    public double[] update(String name) {
      return value(require(graph.updates(), "update", name));
    }

    public double[] gradient(String param) {
      return value(require(graph.gradients(), "gradient", param));
    }

    private static Node require(Map<String, Node> named, String kind, String name) {
      Node n = named.get(name);
      if (n == null) {
        throw new IllegalArgumentException("no " + kind + " " + name + "; have " + named.keySet());
      }
      return n;
    }
  }
}
