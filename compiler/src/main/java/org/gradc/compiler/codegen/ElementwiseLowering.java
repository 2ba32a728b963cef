package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.ir.Elementwise;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Scalar;

/**
 * The rule of every {@link Elementwise} op: its {@link Scalar} formula over its inputs, each read
 * at the broadcast index (or from the local of a fused loop that already holds it).
 */
final class ElementwiseLowering implements OpLowering.Element {
  static final ElementwiseLowering INSTANCE = new ElementwiseLowering();

  private ElementwiseLowering() {}

  @Override
  public boolean view() {
    return false;
  }

  @Override
  public Fx at(Node n, List<Ix> idx, Reads r) {
    List<Fx> args = new ArrayList<>();
    for (Node in : n.inputs()) {
      Fx local = in.shape().equals(n.shape()) ? r.local(in) : null;
      args.add(local != null ? local : r.read(in, Indexing.broadcast(idx, n.shape(), in.shape())));
    }
    return formula(((Elementwise) n.op()).scalar(), args);
  }

  /** {@code s} with its arguments replaced by {@code args}. */
  static Fx formula(Scalar s, List<Fx> args) {
    if (s instanceof Scalar.Arg a) {
      return args.get(a.index());
    } else if (s instanceof Scalar.Const c) {
      return Fx.c(c.value());
    } else if (s instanceof Scalar.Unary u) {
      return new Fx.Unary(u.fn(), formula(u.x(), args));
    } else if (s instanceof Scalar.Binary b) {
      return new Fx.Binary(b.fn(), formula(b.a(), args), formula(b.b(), args));
    } else if (s instanceof Scalar.Select sel) {
      return new Fx.Select(
          formula(sel.cond(), args), formula(sel.ifTrue(), args), formula(sel.ifFalse(), args));
    }
    throw new IllegalArgumentException("no code for scalar formula " + s);
  }
}
