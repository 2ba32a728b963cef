package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.ops.Constant;
import org.gradc.runtime.ModelSpec;
import org.gradc.runtime.TensorKind;

/**
 * The second stage of the {@link Scheduler}: the buffer fields of the class and which node lives
 * where. Role buffers come first, in {@link SpecBuilder}'s slot order ({@code i_} inputs, {@code
 * p_} parameters, {@code o_} outputs, {@code g_} gradients, {@code s_<param>_<state>} optimizer
 * state, {@code loss}, {@code m_} model state), then {@code c_} constants, then the intermediates
 * the {@link MemoryPlan} packs into shared {@code t<k>} buffers. Immutable once built.
 */
final class BufferLayout {
  private final List<ClassPlan.Field> fields;
  private final Map<Node, String> home;
  private final Map<Node, List<String>> roleFields;
  private final Map<Integer, List<String>> scratch;
  private final Map<String, String> paramField;
  private final Map<String, String> gradientField;
  private final String lossField;
  private final Map<String, double[]> constants;

  private BufferLayout(
      List<ClassPlan.Field> fields,
      Map<Node, String> home,
      Map<Node, List<String>> roleFields,
      Map<Integer, List<String>> scratch,
      Map<String, String> paramField,
      Map<String, String> gradientField,
      String lossField,
      Map<String, double[]> constants) {
    this.fields = List.copyOf(fields);
    this.home = Collections.unmodifiableMap(home);
    this.roleFields = Collections.unmodifiableMap(roleFields);
    this.scratch = Collections.unmodifiableMap(scratch);
    this.paramField = Collections.unmodifiableMap(paramField);
    this.gradientField = Collections.unmodifiableMap(gradientField);
    this.lossField = lossField;
    this.constants = Collections.unmodifiableMap(constants);
  }

  /**
   * The nodes whose values go to role buffers, in role order: outputs (the training-mode ones after
   * the evaluation-mode ones where they differ), then each parameter's gradient, then the loss. The
   * {@link FusionPlan} computes and stores these.
   */
  static List<Node> roleNodes(Graph graph) {
    return roleNodes(graph, true);
  }

  /** As above; without {@code training}, no gradients (an inference-only class). */
  static List<Node> roleNodes(Graph graph, boolean training) {
    List<Node> out = new ArrayList<>(graph.outputs().values());
    if (training) {
      for (Node n : graph.trainingOutputs().values()) {
        if (!out.contains(n)) {
          out.add(n);
        }
      }
    }
    if (graph.loss() != null) {
      for (String p : training ? graph.params().keySet() : List.<String>of()) {
        Node g = graph.gradients().get(p);
        if (g == null) {
          throw new IllegalArgumentException("no gradient for parameter " + p);
        }
        out.add(g);
      }
      out.add(graph.loss());
      if (graph.evalLoss() != graph.loss()) {
        out.add(graph.evalLoss());
      }
    }
    out.addAll(graph.updates().values());
    return out;
  }

  /** The field of model state {@code name} ({@code state mu: ...}). */
  static String modelStateField(String name) {
    return "m_" + name;
  }

  /** The field of optimizer state {@code state} of parameter {@code param}. */
  static String stateField(String param, String state) {
    return "s_" + param + "_" + state;
  }

  static BufferLayout layout(
      TrainingGraph tg, Precision precision, ModelSpec spec, FusionPlan plan) {
    return layout(tg, precision, spec, plan, true);
  }

  static BufferLayout layout(
      TrainingGraph tg, Precision precision, ModelSpec spec, FusionPlan plan, boolean training) {
    Graph graph = tg.graph();
    String floatDesc = precision.arrayDescriptor();
    List<ClassPlan.Field> fields = new ArrayList<>();
    Map<Node, String> home = new HashMap<>();
    Map<Node, List<String>> roleFields = new LinkedHashMap<>();
    Map<String, String> paramField = new LinkedHashMap<>();
    Map<String, String> gradientField = new LinkedHashMap<>();
    for (Map.Entry<String, Node> e : graph.inputs().entrySet()) {
      String f = "i_" + e.getKey();
      fields.add(field(f, e.getValue(), floatDesc, spec.slot(TensorKind.INPUT, e.getKey())));
      home.put(e.getValue(), f);
    }
    for (Map.Entry<String, Node> e : graph.params().entrySet()) {
      String f = "p_" + e.getKey();
      fields.add(field(f, e.getValue(), floatDesc, spec.slot(TensorKind.PARAM, e.getKey())));
      home.put(e.getValue(), f);
      paramField.put(e.getKey(), f);
    }
    for (Map.Entry<String, Node> e : graph.outputs().entrySet()) {
      String f = "o_" + e.getKey();
      fields.add(field(f, e.getValue(), floatDesc, spec.slot(TensorKind.OUTPUT, e.getKey())));
      roleFields.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(f);
      Node trainingMode = graph.trainingOutputs().get(e.getKey());
      if (training && trainingMode != e.getValue()) {
        // the training entries leave the step's own (training-mode) outputs in the same buffer
        roleFields.computeIfAbsent(trainingMode, k -> new ArrayList<>()).add(f);
      }
    }
    String lossField = null;
    if (graph.loss() != null) {
      for (Map.Entry<String, Node> e :
          training ? graph.params().entrySet() : Map.<String, Node>of().entrySet()) {
        String f = "g_" + e.getKey();
        int size = (int) e.getValue().shape().rowSize();
        fields.add(
            new ClassPlan.Field(
                f, floatDesc, false, size, spec.slot(TensorKind.GRADIENT, e.getKey())));
        gradientField.put(e.getKey(), f);
        roleFields
            .computeIfAbsent(graph.gradients().get(e.getKey()), k -> new ArrayList<>())
            .add(f);
        for (String state : tg.optimizer().stateNames()) {
          fields.add(
              new ClassPlan.Field(
                  stateField(e.getKey(), state),
                  floatDesc,
                  false,
                  size,
                  spec.slot(TensorKind.STATE, e.getKey() + "." + state)));
        }
      }
      lossField = "loss";
      fields.add(new ClassPlan.Field(lossField, floatDesc, false, 1, -1));
      roleFields.computeIfAbsent(graph.loss(), k -> new ArrayList<>()).add(lossField);
      if (graph.evalLoss() != graph.loss()) {
        roleFields.computeIfAbsent(graph.evalLoss(), k -> new ArrayList<>()).add(lossField);
      }
    }
    for (Map.Entry<String, Node> e : graph.states().entrySet()) {
      String f = modelStateField(e.getKey());
      fields.add(field(f, e.getValue(), floatDesc, spec.slot(TensorKind.STATE, e.getKey())));
      home.put(e.getValue(), f);
      Node update = graph.updates().get(e.getKey());
      if (update != null && update != e.getValue()) {
        // written in place: in training nothing but the update itself reads the state
        roleFields.computeIfAbsent(update, k -> new ArrayList<>()).add(f);
      }
    }
    Map<String, double[]> constants = new LinkedHashMap<>();
    for (Node n : plan.needed) {
      if (n.op() instanceof Constant c) {
        String f = "c_" + n.id();
        fields.add(new ClassPlan.Field(f, floatDesc, false, (int) n.shape().rowSize(), -1));
        home.put(n, f);
        constants.put(f, c.values());
      }
    }
    Map<Integer, List<String>> scratch =
        planIntermediates(plan, floatDesc, home, roleFields, fields);
    return new BufferLayout(
        fields, home, roleFields, scratch, paramField, gradientField, lossField, constants);
  }

  private static ClassPlan.Field field(String name, Node n, String floatDesc, int slot) {
    return new ClassPlan.Field(
        name,
        n.dtype() == DType.I32 ? "[I" : floatDesc,
        n.shape().isBatched(),
        (int) n.shape().rowSize(),
        slot);
  }

  /**
   * Gives every stored intermediate a home: its first role buffer, or a {@link MemoryPlan} buffer
   * shared with values whose live ranges do not overlap; and every root kernel its scratch buffers.
   * Returns the scratch buffers by group index.
   */
  private static Map<Integer, List<String>> planIntermediates(
      FusionPlan plan,
      String floatDesc,
      Map<Node, String> home,
      Map<Node, List<String>> roleFields,
      List<ClassPlan.Field> fields) {
    Map<Node, Integer> lastUse = new HashMap<>();
    for (FusionPlan.Group g : plan.groups) {
      for (Node r : g.reads()) {
        lastUse.merge(r, g.index(), Math::max);
      }
    }
    // a concat's buffer is written from the first kernel that stores a part of it in place
    Map<Node, Integer> firstWrite = new HashMap<>();
    for (FusionPlan.ConcatSlot s : plan.concatSlots()) {
      firstWrite.merge(s.concat(), plan.groupFor(s.value()).index(), Math::min);
    }
    List<MemoryPlan.Request> requests = new ArrayList<>();
    for (Node n : plan.needed) {
      if (plan.stored(n) && !home.containsKey(n)) {
        List<String> roles = roleFields.get(n);
        if (roles != null) {
          home.put(n, roles.get(0));
          continue;
        }
        FusionPlan.Group g = plan.groupFor(n);
        requests.add(
            new MemoryPlan.Request(
                n,
                n.dtype() == DType.I32 ? "[I" : floatDesc,
                n.shape().isBatched(),
                (int) n.shape().rowSize(),
                Math.min(g.index(), firstWrite.getOrDefault(n, g.index())),
                lastUse.getOrDefault(n, g.index())));
      }
    }
    Map<Integer, List<String>> scratchKeys = new LinkedHashMap<>();
    for (FusionPlan.Group g : plan.groups) {
      OpLowering.Root rule = g.rootRule();
      if (rule == null) {
        continue;
      }
      List<OpLowering.Root.Scratch> wanted = rule.scratch(g.root(), plan::stored);
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < wanted.size(); i++) {
        OpLowering.Root.Scratch s = wanted.get(i);
        String key = "scratch" + g.index() + (i == 0 ? "" : "_" + i);
        keys.add(key);
        requests.add(
            new MemoryPlan.Request(key, floatDesc, s.batched(), s.rowSize(), g.index(), g.index()));
      }
      if (!keys.isEmpty()) {
        scratchKeys.put(g.index(), keys);
      }
    }
    MemoryPlan memory = MemoryPlan.plan(requests, "t");
    for (MemoryPlan.Buffer b : memory.buffers()) {
      fields.add(new ClassPlan.Field(b.name(), b.descriptor(), b.batched(), b.rowSize(), -1));
      for (Object key : b.keys()) {
        if (key instanceof Node n) {
          home.put(n, b.name());
        }
      }
    }
    Map<Integer, List<String>> scratch = new LinkedHashMap<>();
    scratchKeys.forEach(
        (group, keys) -> scratch.put(group, keys.stream().map(memory::bufferOf).toList()));
    return scratch;
  }

  List<ClassPlan.Field> fields() {
    return fields;
  }

  /** The buffer holding stored node {@code n}, or null. */
  String home(Node n) {
    return home.get(n);
  }

  /** The role buffers {@code n}'s value is also copied to (outputs, gradients, loss). */
  List<String> roleFields(Node n) {
    return roleFields.getOrDefault(n, List.of());
  }

  /** The scratch buffers of group {@code index}'s root kernel. */
  List<String> scratch(int index) {
    return scratch.getOrDefault(index, List.of());
  }

  String paramField(String param) {
    return paramField.get(param);
  }

  String gradientField(String param) {
    return gradientField.get(param);
  }

  /** The one-element loss buffer, or null when the model has no loss. */
  String lossField() {
    return lossField;
  }

  /** Constant fields and their values, for the constructor. */
  Map<String, double[]> constants() {
    return constants;
  }
}
