package org.gradc.benchmarks;

import java.util.List;
import java.util.Locale;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.HiddenClasses;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;

/**
 * The bits a model's training steps produce: compiles the model, trains it from seed 1 on {@link
 * StepProfile}'s eight seeded random batches, and prints every step's loss and a hash of every
 * parameter's bits after the last step. Two builds whose lines are equal computed the same thing
 * bit for bit (a change that claims to move only stores or copies must leave them equal).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.StepBits [MODEL] [vector|scalar] [steps] [batch]</pre>
 *
 * The step form follows {@code -Dgradc.steps} (shared by default, {@code unrolled}); the vector
 * width follows the JVM ({@code -XX:MaxVectorSize}).
 */
public final class StepBits {
  private StepBits() {}

  public static void main(String[] args) throws Exception {
    String model = args.length > 0 ? args[0] : "Names";
    String backend = args.length > 1 ? args[1] : "vector";
    int steps = args.length > 2 ? Integer.parseInt(args[2]) : 40;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    SourceFile source = StepProfile.source(model);
    GeneratedClass code = StepProfile.generate(source, backend);
    Model m = HiddenClasses.instantiate(code);
    m.initialize(1);
    List<Runnable> feeds = StepProfile.feeds(m, batch);
    long lossHash = 17;
    double loss = 0;
    for (int s = 0; s < steps; s++) {
      feeds.get(s % feeds.size()).run();
      loss = m.trainStep();
      lossHash = lossHash * 31 + Double.doubleToRawLongBits(loss);
    }
    long paramHash = 17;
    for (TensorSpec p : m.spec().ofKind(TensorKind.PARAM)) {
      for (float v : m.parameter(p.name())) {
        paramHash = paramHash * 31 + Float.floatToRawIntBits(v);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%s %s batch %d, %d steps: last loss %.9f, losses %016x, parameters %016x%n",
        source.name(),
        backend,
        batch,
        steps,
        loss,
        lossHash,
        paramHash);
  }
}
