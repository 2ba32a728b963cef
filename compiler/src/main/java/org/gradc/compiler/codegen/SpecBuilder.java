package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.IdBounds;
import org.gradc.compiler.ir.Node;
import org.gradc.runtime.Init;
import org.gradc.runtime.Initializer;
import org.gradc.runtime.ModelSpec;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;

/**
 * The {@link ModelSpec} of a compiled model, in slot order: inputs, parameters, outputs, gradients
 * (one per parameter, named after it), then optimizer state ({@code param + "." + state}). An int
 * input gets a class count from the {@code one_hot} or {@code gather} that consumes it, so the
 * runtime can reject out-of-range labels before generated code ever indexes with them.
 */
final class SpecBuilder {
  private SpecBuilder() {}

  static ModelSpec build(TrainingGraph tg, Precision precision) {
    return build(tg, precision, true);
  }

  /**
   * The spec; without {@code training} (an inference-only class) it has no gradients and no
   * optimizer state. Model states ({@code state mu: ...}) come last, as {@link TensorKind#STATE}
   * tensors owned by themselves ({@code of} is their own name), with their initializer.
   */
  static ModelSpec build(TrainingGraph tg, Precision precision, boolean training) {
    List<TensorSpec> tensors = new ArrayList<>();
    org.gradc.runtime.DType f = precision.runtime();
    for (Map.Entry<String, Node> e : tg.graph().inputs().entrySet()) {
      Node n = e.getValue();
      boolean labels = n.dtype() == DType.I32;
      tensors.add(
          new TensorSpec(
              e.getKey(),
              TensorKind.INPUT,
              labels ? org.gradc.runtime.DType.I32 : f,
              n.shape().dims(),
              e.getKey(),
              null,
              labels ? IdBounds.of(tg.graph(), n) : 0));
    }
    for (Map.Entry<String, Node> e : tg.graph().params().entrySet()) {
      Init init = tg.inits().get(e.getKey());
      if (init == null) {
        init = new Init(Initializer.ZEROS, List.of());
      }
      tensors.add(
          new TensorSpec(
              e.getKey(), TensorKind.PARAM, f, e.getValue().shape().dims(), e.getKey(), init, 0));
    }
    for (Map.Entry<String, Node> e : tg.graph().outputs().entrySet()) {
      tensors.add(
          new TensorSpec(
              e.getKey(), TensorKind.OUTPUT, f, e.getValue().shape().dims(), e.getKey(), null, 0));
    }
    if (tg.graph().loss() != null && training) {
      for (Map.Entry<String, Node> e : tg.graph().params().entrySet()) {
        tensors.add(
            new TensorSpec(
                e.getKey(),
                TensorKind.GRADIENT,
                f,
                e.getValue().shape().dims(),
                e.getKey(),
                null,
                0));
      }
      for (Map.Entry<String, Node> e : tg.graph().params().entrySet()) {
        for (String state : tg.optimizer().stateNames()) {
          tensors.add(
              new TensorSpec(
                  e.getKey() + "." + state,
                  TensorKind.STATE,
                  f,
                  e.getValue().shape().dims(),
                  e.getKey(),
                  null,
                  0));
        }
      }
    }
    for (Map.Entry<String, Node> e : tg.graph().states().entrySet()) {
      Init init = tg.inits().get(e.getKey());
      tensors.add(
          new TensorSpec(
              e.getKey(), TensorKind.STATE, f, e.getValue().shape().dims(), e.getKey(), init, 0));
    }
    return new ModelSpec(
        tg.graph().modelName(), precision.runtime(), tensors, tg.optimizer(), tg.hyper());
  }
}
