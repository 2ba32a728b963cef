package org.gradc.compiler.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradc.compiler.diag.SourceSpan;

/**
 * A static computational graph: nodes in topological order plus the named roles the model gives
 * some of them (inputs, parameters, outputs, the loss and, once differentiated, the gradient of the
 * loss for each parameter). Immutable; build one with {@link #builder()}.
 */
public final class Graph {
  private final String modelName;
  private final List<Node> nodes;
  private final Map<String, Node> inputs;
  private final Map<String, Node> params;
  private final Map<String, Node> outputs;
  private final Node loss;
  private final Map<String, Node> gradients;
  private final Map<String, Node> states;
  private final Map<String, Node> updates;
  private final Node evalLoss;
  private final Map<String, Node> trainingOutputs;
  private final DType precision;

  private Graph(Builder b) {
    this.precision = b.precision;
    this.modelName = b.modelName;
    this.nodes = List.copyOf(b.nodes);
    this.inputs = Collections.unmodifiableMap(new LinkedHashMap<>(b.inputs));
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
    this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(b.outputs));
    this.loss = b.loss;
    this.gradients = Collections.unmodifiableMap(new LinkedHashMap<>(b.gradients));
    this.states = Collections.unmodifiableMap(new LinkedHashMap<>(b.states));
    this.updates = Collections.unmodifiableMap(new LinkedHashMap<>(b.updates));
    this.evalLoss = b.evalLoss;
    Map<String, Node> training = new LinkedHashMap<>(b.outputs);
    b.trainingOutputs.forEach(
        (name, n) -> {
          if (training.containsKey(name)) {
            training.put(name, n);
          }
        });
    this.trainingOutputs = Collections.unmodifiableMap(training);
  }

  /** Training (dropout active, batch statistics) or evaluation (identity, running statistics). */
  public enum Mode {
    TRAIN,
    EVAL
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this graph's nodes (hash-consing against them) and roles, so more nodes can
   * be added to it: this is how autodiff extends a forward graph into the joint graph.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.modelName = modelName;
    b.precision = precision;
    for (Node n : nodes) {
      b.nodes.add(n);
      b.interned.put(new Builder.Key(n.op(), n.inputs()), n);
    }
    b.inputs.putAll(inputs);
    b.params.putAll(params);
    b.outputs.putAll(outputs);
    b.gradients.putAll(gradients);
    b.states.putAll(states);
    b.updates.putAll(updates);
    b.loss = loss;
    b.evalLoss = evalLoss;
    trainingOutputs.forEach(
        (name, n) -> {
          if (n != outputs.get(name)) {
            b.trainingOutputs.put(name, n);
          }
        });
    b.randomKeys = randomKeys();
    return b;
  }

  /** The floating-point type of the graph's values (of literals and of gradients). */
  public DType precision() {
    return precision;
  }

  /**
   * The stable text form used by {@code gradc graph} and by tests: one node per line in topological
   * order, then the roles.
   */
  public String toText() {
    StringBuilder s = new StringBuilder("graph ").append(modelName).append('\n');
    for (Node n : nodes) {
      s.append("  ").append(n).append('\n');
    }
    roles(s, "output", outputs);
    if (loss != null) {
      s.append("  loss = %").append(loss.id()).append('\n');
    }
    roles(s, "gradient", gradients);
    roles(s, "update", updates);
    if (evalLoss != null) {
      s.append("  eval loss = %").append(evalLoss.id()).append('\n');
    }
    trainingOutputs.forEach(
        (name, n) -> {
          if (n != outputs.get(name)) {
            s.append("  training output ").append(name).append(" = %").append(n.id()).append('\n');
          }
        });
    return s.toString();
  }

  private static void roles(StringBuilder s, String role, Map<String, Node> named) {
    for (Map.Entry<String, Node> e : named.entrySet()) {
      s.append("  ").append(role).append(' ').append(e.getKey());
      s.append(" = %").append(e.getValue().id()).append('\n');
    }
  }

  @Override
  public String toString() {
    return toText();
  }

  public String modelName() {
    return modelName;
  }

  /** Every node, inputs before users. */
  public List<Node> nodes() {
    return nodes;
  }

  /** Inputs (features and labels) by name, in declaration order. */
  public Map<String, Node> inputs() {
    return inputs;
  }

  /** Trainable parameters by name, in declaration order. */
  public Map<String, Node> params() {
    return params;
  }

  /** What inference returns, by name, in declaration order. */
  public Map<String, Node> outputs() {
    return outputs;
  }

  /**
   * The outputs as the training step computes them (dropout active, batch statistics), by name in
   * declaration order: what a training entry point leaves in the output buffers, so a trainer
   * counts the step's own predictions. The same nodes as {@link #outputs()} for a model without
   * mode-dependent ops.
   */
  public Map<String, Node> trainingOutputs() {
    return trainingOutputs;
  }

  /** The scalar loss; {@code null} for a graph that has none. */
  public Node loss() {
    return loss;
  }

  /** Model state ({@code state mu: ...}) leaves by name: not trained, updated by training. */
  public Map<String, Node> states() {
    return states;
  }

  /**
   * The value each state takes after a training step (batch norm's running statistics), by state
   * name; a state without an entry keeps its value.
   */
  public Map<String, Node> updates() {
    return updates;
  }

  /**
   * The loss in evaluation mode (no dropout, running statistics): what validation reports. The same
   * node as {@link #loss()} for a model without mode-dependent ops.
   */
  public Node evalLoss() {
    return evalLoss != null ? evalLoss : loss;
  }

  /** Whether the evaluation-mode graph differs from the training one. */
  public boolean hasModes() {
    return evalLoss != null || !updates.isEmpty() || randomKeys() > 0;
  }

  /** How many dropout keys the graph's nodes use (one more than the largest). */
  private int randomKeys() {
    int k = 0;
    for (Node n : nodes) {
      if (n.op() instanceof RandomOp r) {
        k = Math.max(k, r.key() + 1);
      }
    }
    return k;
  }

  /**
   * The evaluation-mode graph alone: outputs, the evaluation loss as the loss, states, and no
   * updates or gradients (what an inference-only class compiles).
   */
  public Graph evaluationOnly() {
    Builder b = toBuilder();
    b.loss = evalLoss();
    b.evalLoss = null;
    b.trainingOutputs.clear();
    b.updates.clear();
    b.gradients.clear();
    return b.build();
  }

  /** ∂loss/∂param by parameter name; empty until autodiff has run. */
  public Map<String, Node> gradients() {
    return gradients;
  }

  /**
   * Builds graphs. Nodes are hash-consed: {@link #node} returns the existing node when the same op
   * is applied to the same inputs again, so common subexpressions merge as they are built.
   */
  public static final class Builder {
    private record Key(Op op, List<Node> inputs) {}

    private final List<Node> nodes = new ArrayList<>();
    private final Map<Key, Node> interned = new HashMap<>();
    private final Map<String, Node> inputs = new LinkedHashMap<>();
    private final Map<String, Node> params = new LinkedHashMap<>();
    private final Map<String, Node> outputs = new LinkedHashMap<>();
    private final Map<String, Node> gradients = new LinkedHashMap<>();
    private final Map<String, Node> states = new LinkedHashMap<>();
    private final Map<String, Node> updates = new LinkedHashMap<>();
    private String modelName = "Model";
    private DType precision = DType.F32;
    private Node loss;
    private Node evalLoss;
    private final Map<String, Node> trainingOutputs = new LinkedHashMap<>();
    private Mode mode = Mode.TRAIN;
    private int randomKeys;
    private boolean modal;

    private Builder() {}

    public Builder modelName(String name) {
      this.modelName = name;
      return this;
    }

    /**
     * Sets the floating-point type of the graph ({@link DType#F32} unless set): the type given to
     * literals, one-hot encodings and gradient seeds.
     */
    public Builder precision(DType floatType) {
      if (!floatType.isFloat()) {
        throw new IllegalArgumentException("precision must be a float type: " + floatType);
      }
      this.precision = floatType;
      return this;
    }

    public DType precision() {
      return precision;
    }

    /** The nodes built so far, in creation (topological) order. */
    public List<Node> nodes() {
      return Collections.unmodifiableList(nodes);
    }

    /**
     * The node computing {@code op(inputs)}: an existing equal one, or a new one whose type is
     * given by the op's shape rule.
     *
     * @throws ShapeError when the op's shape rule rejects the inputs
     */
    public Node node(Op op, List<Node> inputs, SourceSpan span) throws ShapeError {
      Key key = new Key(op, List.copyOf(inputs));
      Node existing = interned.get(key);
      if (existing != null) {
        return existing;
      }
      List<TensorType> types = new ArrayList<>(inputs.size());
      for (Node in : inputs) {
        types.add(in.type());
      }
      Node n = new Node(nodes.size(), op, inputs, op.infer(types), span);
      nodes.add(n);
      interned.put(key, n);
      return n;
    }

    public Node node(Op op, SourceSpan span, Node... inputs) throws ShapeError {
      return node(op, List.of(inputs), span);
    }

    public Builder input(String name, Node node) {
      inputs.put(name, node);
      return this;
    }

    public Builder param(String name, Node node) {
      params.put(name, node);
      return this;
    }

    public Builder output(String name, Node node) {
      outputs.put(name, node);
      return this;
    }

    public Builder loss(Node node) {
      this.loss = node;
      return this;
    }

    public Builder state(String name, Node node) {
      states.put(name, node);
      return this;
    }

    /** Whether state {@code name} already has an update. */
    public boolean updated(String name) {
      return updates.containsKey(name);
    }

    /** Sets the value state {@code name} takes after a training step. */
    public Builder update(String name, Node node) {
      updates.put(name, node);
      return this;
    }

    public Builder evalLoss(Node node) {
      this.evalLoss = node;
      return this;
    }

    /**
     * Records the training-mode value of output {@code name} when it differs from the output's
     * (evaluation-mode) node; see {@link Graph#trainingOutputs()}.
     */
    public Builder trainingOutput(String name, Node node) {
      trainingOutputs.put(name, node);
      return this;
    }

    /** The outputs set so far, by name. */
    public Map<String, Node> outputs() {
      return Collections.unmodifiableMap(outputs);
    }

    /** The mode calls are lowered for: mode-dependent primitives build different graphs. */
    public Mode mode() {
      return mode;
    }

    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    /** A fresh key for one call of a random op (so two dropout calls never merge). */
    public int nextRandomKey() {
      return randomKeys++;
    }

    /** Records that a mode-dependent primitive was called (the model needs an evaluation pass). */
    public void markModal() {
      modal = true;
    }

    public boolean modal() {
      return modal;
    }

    public Builder gradient(String param, Node node) {
      gradients.put(param, node);
      return this;
    }

    public Graph build() {
      return new Graph(this);
    }
  }
}
