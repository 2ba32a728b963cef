package org.gradc.compiler.codegen;

import org.gradc.compiler.autodiff.Autodiff;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;

/** Test models built directly as IR (the front end has its own tests). */
final class Models {
  private Models() {}

  /**
   * A multi-layer perceptron: {@code widths[0]} inputs, ReLU hidden layers, a softmax cross-entropy
   * loss over {@code widths[last]} classes (log-sum-exp done stably), differentiated.
   */
  static Graph mlp(String name, DType d, int... widths) throws Exception {
    Graph.Builder b = Graph.builder().modelName(name).precision(d);
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    Node x = e.input("x", new TensorType(d, Shape.batched(widths[0])));
    Node y = e.input("y", new TensorType(DType.I32, Shape.batched()));
    Node h = x;
    for (int l = 1; l < widths.length; l++) {
      Node w = e.param("W" + l, new TensorType(d, Shape.of(widths[l - 1], widths[l])));
      Node bias = e.param("b" + l, new TensorType(d, Shape.of(widths[l])));
      Node z = e.add(e.matmul(h, w), bias);
      h = l == widths.length - 1 ? z : e.max(z, e.scalar(0));
    }
    int classes = widths[widths.length - 1];
    Node top = e.stopGradient(e.amax(h, true, 1));
    Node shifted = e.sub(h, top);
    Node lse = e.log(e.sum(e.exp(shifted), true, 1));
    Node logProbs = e.sub(shifted, lse);
    b.output("probs", e.exp(logProbs));
    Node picked = e.gather(logProbs, y);
    b.loss(e.neg(e.mean(picked, false, 0)));
    return Autodiff.differentiate(b.build());
  }
}
