package org.gradc.compiler.ir;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.gradc.compiler.diag.SourceSpan;

/**
 * Printable views of a graph: which nodes belong to the backward pass, and the Graphviz DOT picture
 * {@code gradc graph --format dot} draws, in which the forward pass is black and the backward pass
 * red, as textbooks draw backpropagation.
 */
public final class GraphViews {
  private GraphViews() {}

  /**
   * The nodes of the forward pass: what the outputs and the loss need. Every other node exists only
   * for the gradients (including forward values that only the backward pass uses).
   */
  public static Set<Node> forwardNodes(Graph g) {
    Set<Node> seen = new HashSet<>();
    Deque<Node> work = new ArrayDeque<>(g.outputs().values());
    work.addAll(g.inputs().values());
    work.addAll(g.params().values());
    if (g.loss() != null) {
      work.add(g.loss());
    }
    while (!work.isEmpty()) {
      Node n = work.pop();
      if (seen.add(n)) {
        work.addAll(n.inputs());
      }
    }
    return seen;
  }

  /** The 1-based source line of a node, or 0 for a node the compiler made up. */
  public static int line(Node n) {
    SourceSpan s = n.span();
    return s == null || s.file().text().isEmpty() ? 0 : s.line();
  }

  /**
   * The text form with each node's source line and, for backward nodes, a {@code grad} mark: {@code
   * %7 = add(%3, %6) : float[batch, 256] ; line 13}.
   */
  public static String text(Graph g) {
    Set<Node> forward = forwardNodes(g);
    int width = 0;
    for (Node n : g.nodes()) {
      width = Math.max(width, n.toString().length());
    }
    StringBuilder s = new StringBuilder("graph ").append(g.modelName()).append('\n');
    for (Node n : g.nodes()) {
      String line = n.toString();
      s.append("  ").append(line).append(" ".repeat(width - line.length())).append("  ;");
      s.append(forward.contains(n) ? "" : " grad");
      int l = line(n);
      s.append(l > 0 ? " line " + l : "").append('\n');
    }
    roles(s, "input", g.inputs());
    roles(s, "param", g.params());
    roles(s, "output", g.outputs());
    if (g.loss() != null) {
      s.append("  loss = %").append(g.loss().id()).append('\n');
    }
    roles(s, "gradient", g.gradients());
    return s.toString();
  }

  private static void roles(StringBuilder s, String role, Map<String, Node> named) {
    for (Map.Entry<String, Node> e : named.entrySet()) {
      s.append("  ").append(role).append(' ').append(e.getKey());
      s.append(" = %").append(e.getValue().id()).append('\n');
    }
  }

  /**
   * The graph in Graphviz DOT: one box per node labelled with op, type and source line; forward
   * nodes and edges black, backward nodes and the edges into them red; roles as plain labels.
   */
  public static String dot(Graph g) {
    Set<Node> forward = forwardNodes(g);
    StringBuilder s = new StringBuilder();
    s.append("digraph \"").append(escape(g.modelName())).append("\" {\n");
    s.append("  rankdir=TB;\n");
    s.append("  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
    s.append("  edge [arrowsize=0.6];\n");
    for (Node n : g.nodes()) {
      boolean grad = !forward.contains(n);
      StringBuilder label = new StringBuilder(escape(n.op().name()));
      label.append("\\n").append(escape(n.type().toString()));
      int l = line(n);
      if (l > 0) {
        label.append("\\nline ").append(l);
      }
      s.append("  n").append(n.id()).append(" [label=\"").append(label).append('"');
      if (n.inputs().isEmpty()) {
        s.append(", shape=ellipse");
      }
      if (grad) {
        s.append(", color=red, fontcolor=red");
      }
      s.append("];\n");
      for (Node in : n.inputs()) {
        s.append("  n").append(in.id()).append(" -> n").append(n.id());
        s.append(grad ? " [color=red];\n" : ";\n");
      }
    }
    roleNodes(s, "output", g.outputs(), false);
    if (g.loss() != null) {
      s.append("  role_loss [shape=plaintext, label=\"loss\"];\n");
      s.append("  n").append(g.loss().id()).append(" -> role_loss;\n");
    }
    roleNodes(s, "gradient", g.gradients(), true);
    s.append("}\n");
    return s.toString();
  }

  private static void roleNodes(
      StringBuilder s, String role, Map<String, Node> named, boolean grad) {
    int i = 0;
    for (Map.Entry<String, Node> e : named.entrySet()) {
      String id = "role_" + role + "_" + i++;
      String label = grad ? "∂loss/∂" + e.getKey() : role + " " + e.getKey();
      s.append("  ").append(id).append(" [shape=plaintext, label=\"").append(escape(label));
      s.append(grad ? "\", fontcolor=red];\n" : "\"];\n");
      s.append("  n").append(e.getValue().id()).append(" -> ").append(id);
      s.append(grad ? " [color=red];\n" : ";\n");
    }
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
