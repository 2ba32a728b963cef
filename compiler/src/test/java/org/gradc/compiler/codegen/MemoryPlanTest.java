package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.ir.DType;
import org.gradc.runtime.OptimizerKind;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Opcodes;

class MemoryPlanTest {

  private static MemoryPlan.Request req(String key, int row, int def, int last) {
    return new MemoryPlan.Request(key, "[F", true, row, def, last);
  }

  @Test
  void disjointLifetimesShareABuffer() {
    MemoryPlan plan =
        MemoryPlan.plan(List.of(req("a", 8, 0, 1), req("b", 16, 2, 3), req("c", 4, 1, 2)), "t");
    assertEquals(plan.bufferOf("a"), plan.bufferOf("b"));
    assertNotEquals(plan.bufferOf("a"), plan.bufferOf("c"));
    assertEquals(2, plan.buffers().size());
    assertEquals(16, plan.buffers().get(0).rowSize(), "widest row it carries");
  }

  @Test
  void aKernelsInputAndOutputNeverShare() {
    // b is written by the kernel that reads a last: both live at kernel 1
    MemoryPlan plan = MemoryPlan.plan(List.of(req("a", 8, 0, 1), req("b", 8, 1, 2)), "t");
    assertNotEquals(plan.bufferOf("a"), plan.bufferOf("b"));
  }

  @Test
  void batchedAndFixedAndIntBuffersArePooledApart() {
    MemoryPlan plan =
        MemoryPlan.plan(
            List.of(
                req("a", 8, 0, 0),
                new MemoryPlan.Request("b", "[F", false, 8, 1, 1),
                new MemoryPlan.Request("c", "[I", true, 8, 2, 2)),
            "t");
    assertEquals(3, plan.buffers().size());
  }

  @Test
  void bestFitPrefersTheBufferThatNeedsNoGrowth() {
    MemoryPlan plan =
        MemoryPlan.plan(
            List.of(req("small", 4, 0, 0), req("big", 64, 0, 0), req("next", 60, 1, 1)), "t");
    assertEquals(plan.bufferOf("big"), plan.bufferOf("next"));
  }

  /**
   * The plan is the greedy best fit of a scan over every buffer (narrowest free buffer that needs
   * no growth, else the widest, the lowest-numbered among equals), only without the scan: on random
   * requests with many ties, both give the same buffers to the same values.
   */
  @Test
  void sameAssignmentAsAScanOfEveryBuffer() {
    java.util.Random random = new java.util.Random(12);
    for (int trial = 0; trial < 200; trial++) {
      List<MemoryPlan.Request> requests = new ArrayList<>();
      int count = 1 + random.nextInt(60);
      for (int i = 0; i < count; i++) {
        int def = random.nextInt(40);
        requests.add(
            new MemoryPlan.Request(
                "v" + i,
                random.nextInt(4) == 0 ? "[I" : "[F",
                random.nextBoolean(),
                1 + random.nextInt(6) * 4,
                def,
                def + random.nextInt(12) - 2));
      }
      MemoryPlan plan = MemoryPlan.plan(requests, "t");
      java.util.Map<Object, String> scanned = scan(requests);
      for (MemoryPlan.Request r : requests) {
        assertEquals(scanned.get(r.key()), plan.bufferOf(r.key()), "trial " + trial);
      }
    }
  }

  /** The straightforward planner: every request looks at every buffer. */
  private static java.util.Map<Object, String> scan(List<MemoryPlan.Request> requests) {
    List<MemoryPlan.Request> sorted = new ArrayList<>(requests);
    sorted.sort((a, b) -> Integer.compare(a.def(), b.def()));
    List<MemoryPlan.Request> kind = new ArrayList<>(); // per buffer: its first request
    List<Integer> freeAfter = new ArrayList<>();
    List<Integer> widths = new ArrayList<>();
    java.util.Map<Object, String> out = new java.util.HashMap<>();
    for (MemoryPlan.Request r : sorted) {
      int best = -1;
      for (int i = 0; i < kind.size(); i++) {
        if (kind.get(i).batched() != r.batched()
            || !kind.get(i).descriptor().equals(r.descriptor())
            || freeAfter.get(i) >= r.def()) {
          continue;
        }
        if (best < 0 || fit(widths.get(i), r.rowSize()) < fit(widths.get(best), r.rowSize())) {
          best = i;
        }
      }
      if (best < 0) {
        best = kind.size();
        kind.add(r);
        freeAfter.add(-1);
        widths.add(0);
      }
      freeAfter.set(best, Math.max(r.lastUse(), r.def()));
      widths.set(best, Math.max(widths.get(best), r.rowSize()));
      out.put(r.key(), "t" + best);
    }
    return out;
  }

  private static long fit(int have, int need) {
    return have >= need ? (long) (have - need) : (1L << 32) + (need - have);
  }

  private static List<String> temps(GeneratedClass c) {
    List<String> temps = new ArrayList<>();
    new ClassReader(c.bytes())
        .accept(
            new ClassVisitor(Opcodes.ASM9) {
              @Override
              public FieldVisitor visitField(
                  int access, String name, String desc, String sig, Object value) {
                if (name.matches("t\\d+")) {
                  temps.add(name);
                }
                return null;
              }
            },
            0);
    return temps;
  }

  /**
   * Training a 50-layer network keeps each layer's activation and ReLU mask until the backward pass
   * (about 100 values live at the peak); every backward value reuses one of those buffers.
   */
  @Test
  void deepNetworkNeedsOnlyItsPeakOfBuffers() throws Exception {
    int[] widths = new int[51];
    java.util.Arrays.fill(widths, 12);
    List<String> temps =
        temps(
            Harness.generate(
                Harness.training(Models.mlp("Deep", DType.F32, widths), OptimizerKind.SGD),
                Precision.F32));
    assertTrue(temps.size() <= 2 * 50 + 6, temps.size() + " planned buffers");
  }

  /** Inference through 50 layers needs two buffers, used alternately. */
  @Test
  void deepInferenceAlternatesBetweenTwoBuffers() throws Exception {
    org.gradc.compiler.ir.Graph.Builder b =
        org.gradc.compiler.ir.Graph.builder().modelName("Infer").precision(DType.F32);
    org.gradc.compiler.ir.ops.Emit e =
        new org.gradc.compiler.ir.ops.Emit(b, org.gradc.compiler.diag.SourceSpan.SYNTHETIC);
    org.gradc.compiler.ir.Node h =
        e.input(
            "x",
            new org.gradc.compiler.ir.TensorType(
                DType.F32, org.gradc.compiler.ir.Shape.batched(12)));
    for (int l = 0; l < 50; l++) {
      org.gradc.compiler.ir.Node w =
          e.param(
              "W" + l,
              new org.gradc.compiler.ir.TensorType(
                  DType.F32, org.gradc.compiler.ir.Shape.of(12, 12)));
      h = e.tanh(e.matmul(h, w));
    }
    b.output("out", h);
    List<String> temps =
        temps(Harness.generate(Harness.training(b.build(), OptimizerKind.SGD), Precision.F32));
    assertEquals(2, temps.size(), temps.toString());
  }
}
