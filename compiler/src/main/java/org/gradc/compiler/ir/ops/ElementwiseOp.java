package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Elementwise;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * An elementwise arithmetic op: its operands are of one float type and broadcast together; the
 * result has that type and the broadcast shape. Reference evaluation interprets {@link #scalar()},
 * so the formula the code generator emits is the formula the evaluator checks.
 */
interface ElementwiseOp extends Elementwise {

  @Override
  default TensorType infer(List<TensorType> inputs) throws ShapeError {
    DType d = Broadcasting.sameFloat(name(), inputs);
    return new TensorType(d, Broadcasting.shape(inputs));
  }

  @Override
  default double[] evaluate(Node out, List<double[]> inputs, int batch) {
    return evaluateElementwise(scalar(), out, inputs, batch);
  }

  /** Applies a formula at every element of {@code out}, broadcasting the inputs. */
  static double[] evaluateElementwise(
      org.gradc.compiler.ir.Scalar f, Node out, List<double[]> inputs, int batch) {
    Shape shape = out.shape();
    int[] dims = shape.concrete(batch);
    int n = Broadcasting.size(dims);
    double[] result = new double[n];
    if (n == 0) {
      return result;
    }
    int[][] strides = new int[inputs.size()][];
    for (int i = 0; i < inputs.size(); i++) {
      strides[i] = Broadcasting.strides(out.input(i).shape(), shape, batch);
    }
    double[] args = new double[inputs.size()];
    int[] index = new int[dims.length];
    int flat = 0;
    do {
      for (int i = 0; i < args.length; i++) {
        args[i] = inputs.get(i)[Broadcasting.offset(index, strides[i])];
      }
      result[flat++] = f.eval(args);
    } while (Broadcasting.next(index, dims));
    return result;
  }
}
