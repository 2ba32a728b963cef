package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.RandomOp;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;
import org.gradc.runtime.DropoutMasks;

/**
 * The scale factors of one {@code dropout} call: 0 for a dropped element, {@code 1 / (1 - rate)}
 * for a kept one, drawn by {@link DropoutMasks#scale} from (seed, step, {@link #key}, element). A
 * leaf with no inputs and no derivative; the code generator recomputes it wherever it is read, so
 * the backward pass sees the forward pass's mask without storing it.
 *
 * <p>{@code dropout(x, rate)} is {@code x * mask} in training and {@code x} in evaluation.
 */
public record DropoutMask(int key, double rate, TensorType type) implements Leaf, RandomOp {
  public static final Primitive PRIMITIVE =
      new Def(
          "dropout",
          List.of(Parameter.tensor("x"), new Parameter("rate", Parameter.Kind.FLOAT, 0.5)),
          "in training, each element of x zeroed with probability rate and the rest scaled by"
              + " 1/(1 - rate); in evaluation, x",
          (e, a) -> e.dropout(a.tensor("x"), a.real("rate")));

  @Override
  public String name() {
    return "dropout_mask(key=" + key + ", rate=" + Constant.format(rate) + ")";
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    return evaluate(out, batch, RandomOp.DEFAULT);
  }

  @Override
  public double[] evaluate(Node out, int batch, Key k) {
    int rowSize = (int) type.shape().rowSize();
    int rows = type.shape().isBatched() ? batch : 1;
    double[] v = new double[rows * rowSize];
    for (int r = 0; r < rows; r++) {
      long row = type.shape().isBatched() ? k.rowOffset() + r : 0;
      for (int i = 0; i < rowSize; i++) {
        v[r * rowSize + i] = DropoutMasks.scale(k.seed(), k.step(), key, row, rowSize, i, rate);
      }
    }
    return v;
  }

  /** {@code dropout(x, rate)} in the builder's mode. */
  static Node apply(Emit e, Node x, double rate) throws ShapeError {
    if (!x.dtype().isFloat()) {
      throw new ShapeError("E0302", "dropout takes a float tensor, but x is " + x.type());
    }
    if (!(rate >= 0 && rate < 1)) {
      throw new ShapeError(
          "E0330",
          "the dropout rate must lie in [0, 1), but it is " + rate,
          "rate is the probability of zeroing an element; 0.5 is the usual choice");
    }
    Graph.Builder b = e.builder();
    b.markModal();
    if (b.mode() == Graph.Mode.EVAL || rate == 0) {
      return x;
    }
    DType dtype = x.dtype();
    Node mask = e.node(new DropoutMask(b.nextRandomKey(), rate, new TensorType(dtype, x.shape())));
    return e.mul(x, mask);
  }
}
