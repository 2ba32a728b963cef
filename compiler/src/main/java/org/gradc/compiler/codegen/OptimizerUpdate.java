package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.ir.Scalar;
import org.gradc.runtime.OptimizerKind;

/**
 * The optimizer update of one parameter element, as loop-level statements, following the rules in
 * {@link OptimizerKind}'s javadoc exactly. Hyper-parameters are read from the model's {@code hyper}
 * array once per kernel ({@link #prologue}), so they can change between steps; the bias corrections
 * of Adam use the model's {@code step}.
 */
final class OptimizerUpdate {
  private OptimizerUpdate() {}

  /** Locals every update needs, computed once at the top of the kernel. */
  static List<Stmt> prologue(OptimizerKind kind) {
    List<Stmt> s = new ArrayList<>();
    for (int i = 0; i < kind.hyperParameters().size(); i++) {
      s.add(new Stmt.Let("h_" + kind.hyperParameters().get(i).name(), new Fx.Hyper(i)));
    }
    switch (kind) {
      case SGD -> {
        // w -= lr * (nesterov ? g' + momentum * v : v)  ==  lr * (c1 * g' + c2 * v), nesterov in
        // {0,1}
        s.add(new Stmt.Let("u_c1", h("nesterov")));
        s.add(
            new Stmt.Let(
                "u_c2",
                Fx.add(Fx.mul(h("nesterov"), h("momentum")), Fx.sub(Fx.c(1), h("nesterov")))));
      }
      case ADAM, ADAMW -> {
        s.add(new Stmt.Let("u_1mb1", Fx.sub(Fx.c(1), h("beta1"))));
        s.add(new Stmt.Let("u_1mb2", Fx.sub(Fx.c(1), h("beta2"))));
        s.add(
            new Stmt.Let(
                "u_bc1", Fx.sub(Fx.c(1), Fx.bin(Scalar.BinaryFn.POW, h("beta1"), new Fx.Step()))));
        s.add(
            new Stmt.Let(
                "u_bc2", Fx.sub(Fx.c(1), Fx.bin(Scalar.BinaryFn.POW, h("beta2"), new Fx.Step()))));
      }
    }
    return s;
  }

  private static Fx h(String name) {
    return Fx.local("h_" + name);
  }

  /**
   * Updates {@code param[index]} (and its state) from the gradient {@code grad[index]}.
   *
   * @param state the state buffers in {@link OptimizerKind#stateNames()} order
   */
  static List<Stmt> element(
      OptimizerKind kind, String param, String grad, List<String> state, Ix index) {
    List<Stmt> s = new ArrayList<>();
    Fx w = Fx.local("u_w");
    Fx g = new Fx.Load(grad, index);
    s.add(new Stmt.Let("u_w", new Fx.Load(param, index)));
    switch (kind) {
      case SGD -> {
        String v = state.get(0);
        s.add(new Stmt.Let("u_g", Fx.add(g, Fx.mul(h("weight_decay"), w))));
        s.add(
            new Stmt.Let(
                "u_v", Fx.add(Fx.mul(h("momentum"), new Fx.Load(v, index)), Fx.local("u_g"))));
        s.add(new Stmt.Store(v, index, Fx.local("u_v")));
        Fx step =
            Fx.add(
                Fx.mul(Fx.local("u_c1"), Fx.local("u_g")),
                Fx.mul(Fx.local("u_c2"), Fx.local("u_v")));
        s.add(new Stmt.Store(param, index, Fx.sub(w, Fx.mul(h("lr"), step))));
      }
      case ADAM, ADAMW -> {
        String m = state.get(0);
        String v = state.get(1);
        if (kind == OptimizerKind.ADAM) {
          s.add(new Stmt.Let("u_g", Fx.add(g, Fx.mul(h("weight_decay"), w))));
        } else {
          s.add(new Stmt.Let("u_g", g));
          // decoupled weight decay, applied to the weight before the Adam step
          s.add(new Stmt.Let("u_w", Fx.sub(w, Fx.mul(Fx.mul(h("lr"), h("weight_decay")), w))));
        }
        Fx gp = Fx.local("u_g");
        s.add(
            new Stmt.Let(
                "u_m",
                Fx.add(Fx.mul(h("beta1"), new Fx.Load(m, index)), Fx.mul(Fx.local("u_1mb1"), gp))));
        s.add(
            new Stmt.Let(
                "u_v",
                Fx.add(
                    Fx.mul(h("beta2"), new Fx.Load(v, index)),
                    Fx.mul(Fx.local("u_1mb2"), Fx.mul(gp, gp)))));
        s.add(new Stmt.Store(m, index, Fx.local("u_m")));
        s.add(new Stmt.Store(v, index, Fx.local("u_v")));
        Fx mhat = Fx.div(Fx.local("u_m"), Fx.local("u_bc1"));
        Fx vhat = Fx.div(Fx.local("u_v"), Fx.local("u_bc2"));
        Fx denom = Fx.add(new Fx.Unary(Scalar.UnaryFn.SQRT, vhat), h("eps"));
        s.add(new Stmt.Store(param, index, Fx.sub(w, Fx.div(Fx.mul(h("lr"), mhat), denom))));
      }
    }
    return s;
  }
}
