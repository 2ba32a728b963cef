package org.gradc.compiler.ir;

import java.util.List;

/**
 * A primitive operation of the IR. Each op is one small immutable class (usually a record whose
 * components are its static attributes, such as an axis), holding everything about it in one place:
 * its shape rule, its derivative rule and its reference semantics. Ops must implement {@code
 * equals}/{@code hashCode} over their attributes, because nodes are hash-consed on (op, inputs).
 */
public interface Op {

  /** Short name for graph printouts and messages, including attributes: {@code sum(axes=[1])}. */
  String name();

  /**
   * The shape rule: the type of the result given the inputs' types.
   *
   * @throws ShapeError naming both shapes when the inputs do not fit
   */
  TensorType infer(List<TensorType> inputs) throws ShapeError;

  /**
   * The vector-Jacobian product: given the node computed by this op and the cotangent {@code
   * cotangent} of the loss with respect to it (same shape as {@code out}), builds, with {@code b},
   * the cotangent contribution for each input. Returns one entry per input, {@code null} where the
   * input is not differentiable (labels, masks) or receives no gradient. Rules are written with
   * differentiable primitives, so the result can be differentiated again.
   *
   * @throws UnsupportedOperationException when the op has no derivative rule (autodiff reports it
   *     as a compile error naming the op and its source position)
   */
  List<Node> vjp(Node out, Node cotangent, Graph.Builder b) throws ShapeError;

  /**
   * Reference semantics, in plain obviously-correct Java, in f64: the row-major values of the
   * result given the row-major values of the inputs and the run-time batch size. Integer and
   * boolean tensors are passed as doubles holding exact integers (booleans as 0 and 1).
   */
  double[] evaluate(Node out, List<double[]> inputs, int batch);
}
