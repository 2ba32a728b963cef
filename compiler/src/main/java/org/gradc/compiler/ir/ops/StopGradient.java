package org.gradc.compiler.ir.ops;

import java.util.Arrays;
import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;

/**
 * The identity whose derivative is zero: the explicit way to use a value without differentiating
 * through it (the max subtracted in log-sum-exp, for example). Passes keep it, so a gradient graph
 * differentiated again still sees it.
 */
public record StopGradient() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.unary("stop_gradient", "x, through which no gradient flows", Emit::stopGradient);

  @Override
  public String name() {
    return "stop_gradient";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Arg(0);
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) {
    return Arrays.asList((Node) null);
  }
}
