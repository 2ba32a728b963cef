package org.gradc.compiler.opt;

import java.util.List;
import org.gradc.compiler.ir.Graph;

/**
 * The optimizer: runs constant folding, simplification, CSE, merging of repeated products ({@link
 * DotMerger}) and DCE in turn until a round changes nothing (a fixed point), and reports how many
 * nodes that removed.
 */
public final class Pipeline {
  /** Rounds after which the pipeline stops even without a fixed point (a guard, never reached). */
  static final int MAX_ROUNDS = 20;

  private final List<Pass> passes;

  public Pipeline(List<Pass> passes) {
    this.passes = List.copyOf(passes);
  }

  /** The standard passes, in order. */
  public static Pipeline standard() {
    return new Pipeline(
        List.of(
            new ConstantFolding(),
            new Simplify(),
            new CommonSubexpressions(),
            new DotMerger(),
            new DeadCode()));
  }

  /** What optimizing a graph gave. */
  public record Result(Graph graph, int nodesBefore, int nodesAfter, int rounds) {
    /** {@code nodes: 57 -> 41 (3 rounds)}. */
    public String summary() {
      return "nodes: " + nodesBefore + " -> " + nodesAfter + " (" + rounds + " rounds)";
    }
  }

  public Result run(Graph g) {
    Graph current = g;
    int rounds = 0;
    while (rounds < MAX_ROUNDS) {
      rounds++;
      Graph before = current;
      for (Pass p : passes) {
        current = p.run(current);
      }
      // graphs are immutable; the text (thousands of lines for an unrolled loop) is only worth
      // comparing when the round removed no node
      if (current.nodes().size() == before.nodes().size()
          && current.toText().equals(before.toText())) {
        break;
      }
    }
    return new Result(current, g.nodes().size(), current.nodes().size(), rounds);
  }
}
