package org.gradc.compiler.ir.ops;

import java.util.List;
import java.util.Map;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;

/**
 * A {@link Primitive} defined by a lambda over {@link Emit}: how each op class exposes itself to
 * the language (its {@code PRIMITIVE} constant).
 */
record Def(String name, List<Parameter> parameters, String summary, Body body)
    implements Primitive {

  @FunctionalInterface
  interface Body {
    Node apply(Emit e, Args args) throws ShapeError;
  }

  @FunctionalInterface
  interface Unary {
    Node apply(Emit e, Node x) throws ShapeError;
  }

  @FunctionalInterface
  interface Binary {
    Node apply(Emit e, Node a, Node b) throws ShapeError;
  }

  Def {
    parameters = List.copyOf(parameters);
  }

  static Def unary(String name, String summary, Unary f) {
    return new Def(
        name, List.of(Parameter.tensor("x")), summary, (e, a) -> f.apply(e, a.tensor("x")));
  }

  static Def binary(String name, String summary, Binary f) {
    return new Def(
        name,
        List.of(Parameter.tensor("a"), Parameter.tensor("b")),
        summary,
        (e, a) -> f.apply(e, a.tensor("a"), a.tensor("b")));
  }

  @Override
  public Node apply(Graph.Builder b, Map<String, Object> args, SourceSpan at) throws ShapeError {
    return body.apply(new Emit(b, at), new Args(args));
  }

  /** Typed access to checked arguments. */
  record Args(Map<String, Object> values) {
    Node tensor(String name) {
      return (Node) values.get(name);
    }

    int integer(String name) {
      return ((Number) values.get(name)).intValue();
    }

    double real(String name) {
      return ((Number) values.get(name)).doubleValue();
    }

    boolean bool(String name) {
      return (Boolean) values.get(name);
    }

    /** Whether the argument was left to {@code marker}, a parameter's symbolic default. */
    boolean isDefault(String name, Object marker) {
      return values.get(name) == marker;
    }

    /** A static shape; {@link Shape#BATCH} may lead. */
    Shape shape(String name) throws ShapeError {
      return Shapes.fromList(name, (int[]) values.get(name));
    }

    @SuppressWarnings("unchecked")
    List<Node> tensors(String name) {
      return List.copyOf((List<Node>) values.get(name));
    }

    /** An int list; a single int is accepted as a list of one. */
    int[] ints(String name) {
      Object v = values.get(name);
      return v instanceof Number n ? new int[] {n.intValue()} : ((int[]) v).clone();
    }
  }

  static Parameter ints(String name, int[] defaultValue) {
    return new Parameter(name, Parameter.Kind.INT_LIST, defaultValue);
  }

  /**
   * An int-list parameter whose default is shown as written: an int ({@code stride = 1}) or a
   * symbolic default such as {@link #SAME_AS_WINDOW}, which the primitive resolves itself.
   */
  static Parameter intsOr(String name, Object defaultValue) {
    return new Parameter(name, Parameter.Kind.INT_LIST, defaultValue);
  }

  /** The default of pooling's {@code stride}: the window. */
  static final Object SAME_AS_WINDOW =
      new Object() {
        @Override
        public String toString() {
          return "window";
        }
      };

  static Parameter shape(String name) {
    return new Parameter(name, Parameter.Kind.SHAPE, null);
  }

  static Parameter tensors(String name) {
    return new Parameter(name, Parameter.Kind.TENSORS, null);
  }

  static Parameter integer(String name, Integer defaultValue) {
    return new Parameter(name, Parameter.Kind.INT, defaultValue);
  }

  static Parameter real(String name) {
    return new Parameter(name, Parameter.Kind.FLOAT, null);
  }

  static Parameter bool(String name, boolean defaultValue) {
    return new Parameter(name, Parameter.Kind.BOOL, defaultValue);
  }
}
