package org.gradc.runtime.train;

import java.util.ArrayList;
import java.util.List;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;

/**
 * A copy of a model's trainable state (parameters, optimizer state, step, hyper-parameters), taken
 * into arrays allocated once and reused, and put back bit for bit.
 */
final class Snapshot {
  private final Model model;
  private final List<Object[]> pairs = new ArrayList<>();
  private final double[] hyper;
  private long step;

  Snapshot(Model model) {
    this.model = model;
    for (TensorSpec t : model.spec().tensors()) {
      if (t.kind() == TensorKind.PARAM || t.kind() == TensorKind.STATE) {
        Object live = model.tensor(t.kind(), t.name());
        Object copy =
            java.lang.reflect.Array.newInstance(
                live.getClass().getComponentType(), java.lang.reflect.Array.getLength(live));
        pairs.add(new Object[] {live, copy});
      }
    }
    hyper = new double[model.spec().optimizer().hyperParameters().size()];
  }

  Snapshot take() {
    for (Object[] p : pairs) {
      System.arraycopy(p[0], 0, p[1], 0, java.lang.reflect.Array.getLength(p[0]));
    }
    for (int i = 0; i < hyper.length; i++) {
      hyper[i] = model.hyperParameter(name(i));
    }
    step = model.steps();
    return this;
  }

  void restore() {
    for (Object[] p : pairs) {
      System.arraycopy(p[1], 0, p[0], 0, java.lang.reflect.Array.getLength(p[0]));
    }
    for (int i = 0; i < hyper.length; i++) {
      model.hyperParameter(name(i), hyper[i]);
    }
    model.steps(step);
  }

  private String name(int i) {
    return model.spec().optimizer().hyperParameters().get(i).name();
  }
}
