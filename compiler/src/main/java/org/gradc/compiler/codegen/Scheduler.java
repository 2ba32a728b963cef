package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.runtime.ModelSpec;

/**
 * The scheduler: decides, for a joint graph, what is computed where and fused how, and lowers it to
 * {@link Kernel}s over named buffers, in four stages with immutable results:
 *
 * <ol>
 *   <li>{@link FusionPlan}: each node's mode (field, inline, computed), the fused groups, what is
 *       stored;
 *   <li>{@link BufferLayout}: the class's buffer fields and which value lives where;
 *   <li>entry points ({@link EntryPoint}): which groups each entry runs, which parameters' updates
 *       fuse into which kernel;
 *   <li>{@link KernelBuilder}: one {@link Kernel} per method, from each op's {@link OpLowering}.
 * </ol>
 *
 * <p>The optimizer update of a parameter is fused into the kernel that writes its gradient (the
 * {@code _step} variant, which only {@code runTrainStep} calls) when no later kernel of the step
 * reads the parameter; otherwise it runs as its own kernel at the end of the step.
 */
final class Scheduler {
  private final TrainingGraph tg;
  private final Graph graph;
  private final FusionPlan plan;
  private final KernelBuilder kernels;

  private final Set<Node> roles;

  private Scheduler(TrainingGraph tg, FusionPlan plan, KernelBuilder kernels, Set<Node> roles) {
    this.tg = tg;
    this.graph = tg.graph();
    this.plan = plan;
    this.kernels = kernels;
    this.roles = roles;
  }

  /**
   * Schedules {@code tg} for the given entry points; {@code spec} gives role buffers their slots.
   *
   * @throws UnsupportedOpException when a node's op has no {@link OpLowering}
   */
  static Schedule schedule(
      TrainingGraph tg, Precision precision, ModelSpec spec, List<EntryPoint> entries) {
    return schedule(tg, precision, spec, entries, true);
  }

  /**
   * As above; without {@code training} (an inference-only class) there are no gradient or optimizer
   * buffers and no update kernels, and the graph's loss is the evaluation loss.
   */
  static Schedule schedule(
      TrainingGraph tg,
      Precision precision,
      ModelSpec spec,
      List<EntryPoint> entries,
      boolean training) {
    FusionPlan plan = FusionPlan.plan(tg.graph(), BufferLayout.roleNodes(tg.graph(), training));
    BufferLayout layout = BufferLayout.layout(tg, precision, spec, plan, training);
    Scheduler s =
        new Scheduler(
            tg,
            plan,
            new KernelBuilder(tg, plan, layout),
            new HashSet<>(BufferLayout.roleNodes(tg.graph(), training)));
    return s.entries(entries, layout, training);
  }

  /** The role nodes an entry point leaves in their buffers. */
  private Set<Node> roots(EntryPoint e) {
    Set<Node> roots = new LinkedHashSet<>();
    if (e.roots().contains(EntryPoint.Role.OUTPUTS)) {
      roots.addAll((e.evaluation() ? graph.outputs() : graph.trainingOutputs()).values());
    }
    if (e.roots().contains(EntryPoint.Role.STATE_UPDATES)) {
      roots.addAll(graph.updates().values());
    }
    if (graph.loss() != null) {
      if (e.roots().contains(EntryPoint.Role.LOSS)) {
        roots.add(e.evaluation() ? graph.evalLoss() : graph.loss());
      }
      if (e.roots().contains(EntryPoint.Role.GRADIENTS)) {
        roots.addAll(graph.gradients().values());
      }
    }
    return roots;
  }

  private Schedule entries(List<EntryPoint> entries, BufferLayout layout, boolean training) {
    // what each entry needs, computed once per entry (per group it would make scheduling
    // quadratic in the graph: an unrolled loop has thousands of groups)
    List<Set<Node>> needs = new ArrayList<>();
    List<Set<FusionPlan.Group>> closures = new ArrayList<>();
    for (EntryPoint e : entries) {
      boolean skip = e.update().alone();
      needs.add(skip || !e.minimal() ? Set.of() : need(roots(e)));
      closures.add(skip || e.minimal() ? Set.of() : closure(roots(e)));
    }
    Map<String, FusionPlan.Group> fusedInto = Map.of();
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).update() == EntryPoint.Update.FUSED) {
        fusedInto = fusedUpdates(closure(roots(entries.get(i))));
      }
    }
    // per entry, the method it calls for each group it runs
    List<Map<Integer, String>> calls = new ArrayList<>();
    List<Schedule.Method> methods = new ArrayList<>();
    List<Map<Integer, Kernel>> variants = new ArrayList<>();
    for (EntryPoint e : entries) {
      calls.add(new LinkedHashMap<>());
      variants.add(new LinkedHashMap<>());
    }
    for (FusionPlan.Group g : plan.groups) {
      String whole = "k" + g.index();
      Kernel wholeKernel = null;
      Map<Kernel, String> pruned = new LinkedHashMap<>();
      List<Schedule.Method> step = new ArrayList<>();
      List<Schedule.Method> extra = new ArrayList<>();
      boolean wholeUsed = false;
      for (int i = 0; i < entries.size(); i++) {
        EntryPoint e = entries.get(i);
        if (e.update().alone()) {
          continue;
        }
        if (e.minimal()) {
          Set<Node> need = needs.get(i);
          if (g.nodes().stream().noneMatch(need::contains)) {
            continue;
          }
          Kernel k = kernels.kernel(g, List.of(), need::contains, e.roots());
          if (wholeKernel == null) {
            wholeKernel = kernels.kernel(g, List.of(), n -> true, null);
          }
          // the whole kernel may stand in when what it computes beyond the entry's needs is no
          // role value (not a training-mode output or loss, which share buffers with the
          // evaluation ones) and it writes no role buffer outside the entry's roots
          boolean shared =
              e.sharesTraining()
                  && trainingRuns(entries, g)
                  && g.nodes().stream().filter(n -> !need.contains(n)).noneMatch(roles::contains)
                  && kernels.kernel(g, List.of(), n -> true, e.roots()).equals(wholeKernel);
          if (shared || k.equals(wholeKernel)) {
            calls.get(i).put(g.index(), whole);
            wholeUsed = true;
          } else {
            String name = pruned.get(k);
            if (name == null) {
              name = whole + "_" + shortName(e);
              pruned.put(k, name);
              extra.add(new Schedule.Method(name, k));
            }
            calls.get(i).put(g.index(), name);
          }
          continue;
        }
        if (!closures.get(i).contains(g)) {
          continue;
        }
        List<String> params = new ArrayList<>();
        if (e.update() == EntryPoint.Update.FUSED) {
          for (Map.Entry<String, FusionPlan.Group> f : fusedInto.entrySet()) {
            if (f.getValue() == g) {
              params.add(f.getKey());
            }
          }
        }
        if (params.isEmpty()) {
          calls.get(i).put(g.index(), whole);
          wholeUsed = true;
        } else {
          String name = whole + "_step";
          if (step.isEmpty()) {
            step.add(new Schedule.Method(name, kernels.kernel(g, params, n -> true, null)));
          }
          calls.get(i).put(g.index(), name);
        }
      }
      if (wholeUsed) {
        if (wholeKernel == null) {
          wholeKernel = kernels.kernel(g, List.of(), n -> true, null);
        }
        methods.add(new Schedule.Method(whole, wholeKernel));
      }
      methods.addAll(step);
      methods.addAll(extra);
    }
    List<String> updates = new ArrayList<>();
    List<String> partUpdates = new ArrayList<>();
    if (graph.loss() != null && training) {
      // every parameter gets a standalone update kernel for runUpdate; the unfused ones also end
      // runTrainStep; and one over a range of its parts for runUpdateParts
      for (String p : graph.params().keySet()) {
        String name = "update_" + p;
        methods.add(new Schedule.Method(name, kernels.updateKernel(p)));
        updates.add(name);
        methods.add(new Schedule.Method("updateParts_" + p, kernels.partUpdateKernel(p)));
        partUpdates.add("updateParts_" + p);
      }
    }
    List<Schedule.Entry> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      EntryPoint e = entries.get(i);
      List<String> seq = new ArrayList<>(calls.get(i).values());
      if (e.update() == EntryPoint.Update.ONLY) {
        seq.addAll(updates);
      } else if (e.update() == EntryPoint.Update.PARTS) {
        seq.addAll(partUpdates);
      } else if (e.update() == EntryPoint.Update.FUSED) {
        for (String p : graph.params().keySet()) {
          if (graph.loss() != null && !fusedInto.containsKey(p)) {
            seq.add("update_" + p);
          }
        }
      }
      out.add(new Schedule.Entry(e, seq));
    }
    return new Schedule(layout.fields(), methods, out, layout.lossField(), layout.constants());
  }

  /**
   * Whether a training entry (one that is not minimal) runs the whole kernel of {@code g}, not its
   * {@code _step} variant with fused updates: only then is there compiled training code to share.
   */
  private boolean trainingRuns(List<EntryPoint> entries, FusionPlan.Group g) {
    if (trainingGroups == null) {
      // once per schedule: a closure per group asked would be groups × graph (an unrolled loop
      // has thousands of groups)
      trainingGroups = new HashSet<>();
      for (EntryPoint t : entries) {
        if (!t.minimal() && t.update() == EntryPoint.Update.NONE) {
          trainingGroups.addAll(closure(roots(t)));
        }
      }
    }
    return trainingGroups.contains(g);
  }

  /** The groups a full training entry without update runs ({@link #trainingRuns}), when known. */
  private Set<FusionPlan.Group> trainingGroups;

  /** {@code runEvaluate} → {@code evaluate}: how pruned variants are named. */
  private static String shortName(EntryPoint e) {
    String m = e.method().startsWith("run") ? e.method().substring(3) : e.method();
    return Character.toLowerCase(m.charAt(0)) + m.substring(1);
  }

  /** Every node {@code roots} depend on. */
  private static Set<Node> need(Set<Node> roots) {
    Set<Node> seen = new HashSet<>();
    List<Node> stack = new ArrayList<>(roots);
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      if (seen.add(n)) {
        stack.addAll(n.inputs());
      }
    }
    return seen;
  }

  /** The groups computing {@code roots}, and every group they read from, transitively. */
  private Set<FusionPlan.Group> closure(Set<Node> roots) {
    Set<FusionPlan.Group> out = new TreeSet<>((a, b) -> Integer.compare(a.index(), b.index()));
    List<Node> work = new ArrayList<>(roots);
    Set<Node> seen = new HashSet<>();
    while (!work.isEmpty()) {
      Node n = work.remove(work.size() - 1);
      if (!seen.add(n)) {
        continue;
      }
      FusionPlan.Group g = plan.groupFor(n);
      if (g != null && out.add(g)) {
        work.addAll(g.reads());
      }
      if (plan.mode(n) == FusionPlan.Mode.INLINE) {
        work.addAll(plan.deps(n));
      }
    }
    return out;
  }

  /** Parameters whose update can ride on the kernel writing their gradient. */
  private Map<String, FusionPlan.Group> fusedUpdates(Set<FusionPlan.Group> schedule) {
    Map<String, FusionPlan.Group> out = new LinkedHashMap<>();
    if (graph.loss() == null) {
      return out;
    }
    for (Map.Entry<String, Node> e : graph.params().entrySet()) {
      FusionPlan.Group writer = plan.groupFor(graph.gradients().get(e.getKey()));
      if (writer == null || writer.copy()) {
        continue;
      }
      boolean readLater = false;
      for (FusionPlan.Group other : schedule) {
        if (other.index() >= writer.index() && other.reads().contains(e.getValue())) {
          readLater = true;
        }
      }
      if (!readLater) {
        out.put(e.getKey(), writer);
      }
    }
    return out;
  }
}
