package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.TensorType;

/**
 * The run-time batch size, as a scalar of a float type: {@code mean} over the batch divides by it.
 */
public record BatchSize(DType dtype) implements Leaf {
  @Override
  public String name() {
    return "batch_size";
  }

  @Override
  public TensorType type() {
    return new TensorType(dtype, Shape.SCALAR);
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    return new double[] {batch};
  }
}
