package org.gradc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.gradc.compiler.ir.DType;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;

/**
 * Whatever a caller feeds (wrong lengths, mismatched batch sizes, labels out of range, unknown
 * names, the wrong element type) and whatever it runs next, the only failures are the runtime's
 * checked messages: generated code never indexes out of bounds.
 */
class FeedingProperties {
  private static final Model MODEL =
      load(); // one class; instances are cheap to copy but the state carried over is the point

  private static Model load() {
    try {
      return HiddenClasses.instantiate(
          Harness.generate(
              Harness.training(Models.mlp("Fed", DType.F32, 3, 5, 4), OptimizerKind.ADAM),
              Precision.F32));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Property(tries = 200)
  void onlyCheckedErrors(@ForAll long seed) {
    Random r = new Random(seed);
    Model m = MODEL.copy();
    for (int op = 0; op < 12; op++) {
      try {
        switch (r.nextInt(7)) {
          case 0 -> m.feed("x", new float[r.nextInt(4) == 0 ? r.nextInt(20) : 3 * r.nextInt(9)]);
          case 1 -> {
            int[] labels = new int[r.nextInt(9)];
            for (int i = 0; i < labels.length; i++) {
              labels[i] = r.nextInt(6) - 1;
            }
            m.feed("y", labels);
          }
          case 2 -> m.feed(r.nextBoolean() ? "z" : "y", new float[3]);
          case 3 -> m.forward();
          case 4 -> m.lossAndGradients();
          case 5 -> m.trainStep();
          default -> m.feed("x", new int[3]);
        }
      } catch (IllegalArgumentException | IllegalStateException expected) {
        assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
      }
    }
  }
}
