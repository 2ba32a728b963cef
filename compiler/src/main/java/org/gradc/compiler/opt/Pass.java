package org.gradc.compiler.opt;

import org.gradc.compiler.ir.Graph;

/**
 * One graph-to-graph optimization. A pass never changes what any role (output, loss, gradient)
 * evaluates to, beyond float rounding; its tests evaluate graphs before and after to show it.
 */
public interface Pass {
  String name();

  /** The optimized graph; {@code g} itself when nothing changed. */
  Graph run(Graph g);
}
