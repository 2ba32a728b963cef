package org.gradc.compiler.ir;

/**
 * One parameter of a {@link Primitive}.
 *
 * @param defaultValue {@code null} when the argument is required
 */
public record Parameter(String name, Kind kind, Object defaultValue) {

  /**
   * What an argument must be. Only {@code TENSOR} arguments are graph values; the rest are static.
   */
  public enum Kind {
    TENSOR,
    INT,
    FLOAT,
    BOOL,
    INT_LIST,
    /**
     * A static shape such as {@code [batch, 128]}: an int list whose first element may be {@code
     * batch}; passed as an {@code int[]} with {@link Shape#BATCH} for it.
     */
    SHAPE,
    /** Several tensors, such as the members {@code h[1 .. T]} of a family: a {@code List<Node>}. */
    TENSORS
  }

  public static Parameter tensor(String name) {
    return new Parameter(name, Kind.TENSOR, null);
  }

  public boolean required() {
    return defaultValue == null;
  }

  @Override
  public String toString() {
    String d = defaultValue == null ? "" : " = " + render(defaultValue);
    return kind == Kind.TENSOR ? name + d : name + ": " + kind.name().toLowerCase() + d;
  }

  private static String render(Object v) {
    if (v instanceof int[] a) {
      return java.util.Arrays.toString(a);
    }
    return String.valueOf(v);
  }
}
