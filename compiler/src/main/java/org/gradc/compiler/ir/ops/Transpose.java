package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Parameter;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.ShapeError;
import org.gradc.compiler.ir.TensorType;

/**
 * Permutes axes: axis {@code i} of the result is axis {@code perm[i]} of the input. The batch axis
 * cannot move. The VJP applies the inverse permutation.
 */
public record Transpose(List<Integer> perm) implements org.gradc.compiler.ir.Op {
  public static final Primitive PRIMITIVE =
      new Def(
          "transpose",
          List.of(Parameter.tensor("x"), Def.ints("axes", new int[0])),
          "x with its axes permuted (reversed when none are given)",
          (e, a) -> e.transpose(a.tensor("x"), a.ints("axes")));

  public Transpose {
    perm = List.copyOf(perm);
  }

  @Override
  public String name() {
    return "transpose(" + perm + ")";
  }

  @Override
  public TensorType infer(List<TensorType> inputs) throws ShapeError {
    TensorType x = inputs.get(0);
    Shape s = x.shape();
    boolean[] seen = new boolean[s.rank()];
    boolean ok = perm.size() == s.rank();
    for (int i = 0; ok && i < perm.size(); i++) {
      int p = perm.get(i);
      ok = p >= 0 && p < s.rank() && !seen[p];
      if (ok) {
        seen[p] = true;
      }
    }
    if (!ok) {
      throw new ShapeError(
          "E0312", "transpose: axes " + perm + " are not a permutation of the axes of " + x);
    }
    if (s.isBatched() && perm.get(0) != 0) {
      throw new ShapeError(
          "E0307",
          "transpose " + perm + " of " + x + " would move the batch axis",
          "the batch axis must stay first: permute the other axes only");
    }
    int[] dims = new int[s.rank()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = s.dim(perm.get(i));
    }
    return new TensorType(x.dtype(), Shape.of(dims));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    int[] inverse = new int[perm.size()];
    for (int i = 0; i < inverse.length; i++) {
      inverse[perm.get(i)] = i;
    }
    return List.of(Emit.at(b, out).transpose(g, inverse));
  }

  @Override
  public double[] evaluate(Node out, List<double[]> inputs, int batch) {
    int[] inDims = out.input(0).shape().concrete(batch);
    int[] inStrides = Broadcasting.strides(inDims);
    int[] dims = out.shape().concrete(batch);
    int[] strides = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      strides[i] = inStrides[perm.get(i)];
    }
    double[] in = inputs.get(0);
    double[] r = new double[in.length];
    if (r.length == 0) {
      return r;
    }
    int[] index = new int[dims.length];
    int flat = 0;
    do {
      r[flat++] = in[Broadcasting.offset(index, strides)];
    } while (Broadcasting.next(index, dims));
    return r;
  }
}
