package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;

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
    List<int[]> widths = new ArrayList<>();
    // per pool (batched or not, descriptor): the buffers still live, by when they become free,
    // and the free ones by width; an unrolled loop keeps thousands of values alive at once, so
    // scanning every buffer per request would be quadratic
    Map<String, Pool> pools = new HashMap<>();
    for (Request r : sorted) {
      Pool pool = pools.computeIfAbsent(r.batched() + r.descriptor(), k -> new Pool());
      pool.release(r.def(), widths);
      int best = pool.bestFit(r.rowSize());
      if (best < 0) {
        best = plan.buffers.size();
        plan.buffers.add(
            new Buffer(prefix + best, r.descriptor(), r.batched(), 0, new ArrayList<>()));
        widths.add(new int[] {0});
      } else {
        pool.take(best, widths.get(best)[0]);
      }
      Buffer b = plan.buffers.get(best);
      b.keys().add(r.key());
      widths.get(best)[0] = Math.max(widths.get(best)[0], r.rowSize());
      pool.busy.add(new long[] {Math.max(r.lastUse(), r.def()), best});
      plan.assignment.put(r.key(), b.name());
    }
    for (int i = 0; i < plan.buffers.size(); i++) {
      Buffer b = plan.buffers.get(i);
      plan.buffers.set(
          i, new Buffer(b.name(), b.descriptor(), b.batched(), widths.get(i)[0], b.keys()));
    }
    return plan;
  }

  /**
   * The buffers of one kind. The best fit is the narrowest free buffer at least as wide as the
   * value, else the widest free one (least growth), the lowest-numbered among equals: the plan's
   * contract, and what {@code MemoryPlanTest} checks against a scan of all buffers.
   */
  private static final class Pool {
    /** {@code {last use, buffer}} of buffers holding a live value. */
    final PriorityQueue<long[]> busy =
        new PriorityQueue<>(
            (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));

    /** Free buffers: width to buffer numbers. */
    final TreeMap<Integer, TreeSet<Integer>> free = new TreeMap<>();

    /** Frees the buffers whose value is dead before {@code def}. */
    void release(int def, List<int[]> widths) {
      while (!busy.isEmpty() && busy.peek()[0] < def) {
        int b = (int) busy.poll()[1];
        free.computeIfAbsent(widths.get(b)[0], k -> new TreeSet<>()).add(b);
      }
    }

    int bestFit(int need) {
      Map.Entry<Integer, TreeSet<Integer>> e = free.ceilingEntry(need);
      if (e == null) {
        e = free.lastEntry();
      }
      return e == null ? -1 : e.getValue().first();
    }

    void take(int buffer, int width) {
      TreeSet<Integer> same = free.get(width);
      same.remove(buffer);
      if (same.isEmpty()) {
        free.remove(width);
      }
    }
  }

  List<Buffer> buffers() {
    return buffers;
  }

  String bufferOf(Object key) {
    return assignment.get(key);
  }
}
