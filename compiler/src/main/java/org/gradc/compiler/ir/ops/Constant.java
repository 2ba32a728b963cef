package org.gradc.compiler.ir.ops;

import java.util.Arrays;
import java.util.List;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.TensorType;

/**
 * A tensor of fixed, not uniform, values (constant folding makes these; {@link Fill} holds uniform
 * ones). Never batched. Compares by value so equal constants hash-cons.
 */
public record Constant(double[] values, TensorType type) implements Leaf {
  public Constant {
    values = values.clone();
  }

  @Override
  public double[] values() {
    return values.clone();
  }

  @Override
  public String name() {
    StringBuilder s = new StringBuilder("constant[");
    for (int i = 0; i < Math.min(values.length, 4); i++) {
      s.append(i > 0 ? ", " : "").append(format(values[i]));
    }
    return s.append(values.length > 4 ? ", …]" : "]").toString();
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    return values.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Constant c && Arrays.equals(values, c.values) && type.equals(c.type);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values) * 31 + type.hashCode();
  }

  @Override
  public String toString() {
    return name();
  }

  /** {@code 1}, {@code 0.5}: integers without a fraction. */
  static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
