package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Static buffer planning: every intermediate value gets a buffer field, and values whose live
 * ranges do not overlap share one. A value is live from the kernel that writes it to the last
 * kernel that reads it, both inclusive (a kernel's inputs and outputs never share a buffer).
 * Batched and fixed-size buffers are pooled apart, as are float and int ones; a shared batched
 * buffer holds the widest row of the values it carries. The plan is greedy best-fit in order of
 * definition, which is deterministic.
 */
final class MemoryPlan {

  /** One value needing a buffer. {@code key} identifies it to the caller. */
  record Request(
      Object key, String descriptor, boolean batched, int rowSize, int def, int lastUse) {}

  /** A planned buffer field and the values it carries. */
  record Buffer(String name, String descriptor, boolean batched, int rowSize, List<Object> keys) {}

  private final List<Buffer> buffers = new ArrayList<>();
  private final Map<Object, String> assignment = new LinkedHashMap<>();

  private MemoryPlan() {}

  static MemoryPlan plan(List<Request> requests, String prefix) {
    MemoryPlan plan = new MemoryPlan();
    List<Request> sorted = new ArrayList<>(requests);
    sorted.sort((a, b) -> Integer.compare(a.def(), b.def()));
    List<int[]> freeAfter = new ArrayList<>(); // per buffer: last use so far
    List<int[]> widths = new ArrayList<>();
    for (Request r : sorted) {
      int best = -1;
      for (int i = 0; i < plan.buffers.size(); i++) {
        Buffer b = plan.buffers.get(i);
        if (b.batched() != r.batched()
            || !b.descriptor().equals(r.descriptor())
            || freeAfter.get(i)[0] >= r.def()) {
          continue;
        }
        if (best < 0
            || fit(widths.get(i)[0], r.rowSize()) < fit(widths.get(best)[0], r.rowSize())) {
          best = i;
        }
      }
      if (best < 0) {
        best = plan.buffers.size();
        plan.buffers.add(
            new Buffer(prefix + best, r.descriptor(), r.batched(), 0, new ArrayList<>()));
        freeAfter.add(new int[] {-1});
        widths.add(new int[] {0});
      }
      Buffer b = plan.buffers.get(best);
      b.keys().add(r.key());
      freeAfter.get(best)[0] = Math.max(r.lastUse(), r.def());
      widths.get(best)[0] = Math.max(widths.get(best)[0], r.rowSize());
      plan.assignment.put(r.key(), b.name());
    }
    for (int i = 0; i < plan.buffers.size(); i++) {
      Buffer b = plan.buffers.get(i);
      plan.buffers.set(
          i, new Buffer(b.name(), b.descriptor(), b.batched(), widths.get(i)[0], b.keys()));
    }
    return plan;
  }

  /** Smaller is better: an exact fit, then the least growth, then the least waste. */
  private static long fit(int have, int need) {
    return have >= need ? (long) (have - need) : (1L << 32) + (need - have);
  }

  List<Buffer> buffers() {
    return buffers;
  }

  String bufferOf(Object key) {
    return assignment.get(key);
  }
}
