package org.gradc.compiler.ir.ops;

import java.util.List;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Primitive;
import org.gradc.compiler.ir.Scalar;
import org.gradc.compiler.ir.ShapeError;

/** a + b. Each operand receives the cotangent, summed over the axes it was broadcast along. */
public record Add() implements ElementwiseOp {
  public static final Primitive PRIMITIVE =
      Def.binary("add", "the sum a + b, broadcasting", Emit::add);

  @Override
  public String name() {
    return "add";
  }

  @Override
  public Scalar scalar() {
    return new Scalar.Binary(Scalar.BinaryFn.ADD, new Scalar.Arg(0), new Scalar.Arg(1));
  }

  @Override
  public List<Node> vjp(Node out, Node g, Graph.Builder b) throws ShapeError {
    Emit e = Emit.at(b, out);
    Node a = out.input(0);
    Node c = out.input(1);
    return List.of(e.unbroadcast(g, a.shape()), e.unbroadcast(g, c.shape()));
  }
}
