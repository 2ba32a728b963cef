package org.gradc.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.gradc.compiler.Compilation;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.BackendKind;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.HiddenClasses;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One Adam training step of the Fashion-MNIST MLP (784-256-10, ReLU, softmax cross-entropy, batch
 * 64) compiled by gradc from its model text, with the vector or the scalar back end, next to the
 * hand-written Java loops ({@link HandWrittenMlp}). The score counts the step's matmul FLOPs
 * (forward 2·64·(784·256 + 256·10), backward the weight gradients and δh: 52.4 M per step), so it
 * reads as the step's effective GFLOP/s; everything else the step does (softmax, loss, Adam over
 * 203,530 parameters) is in the time but not in the count.
 *
 * <pre>java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar TrainStepBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TrainStepBench {
  static final int BATCH = 64;

  /** 2·64·(784·256 + 256·10) forward + 2·64·(784·256 + 256·10 + 10·256) backward. */
  static final int FLOPS = 2 * BATCH * (784 * 256 + 256 * 10) * 2 + 2 * BATCH * 10 * 256;

  /** The example model, as users compile it (on the class path from examples/src/main/grad). */
  static final String MODEL_RESOURCE = "/org/gradc/examples/FashionMlp.grad";

  /** The text of {@code examples/…/FashionMlp.grad}. */
  static String model() throws java.io.IOException {
    try (java.io.InputStream in = TrainStepBench.class.getResourceAsStream(MODEL_RESOURCE)) {
      if (in == null) {
        throw new java.io.FileNotFoundException(MODEL_RESOURCE + " is not on the class path");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Param({"vector", "scalar", "hand"})
  public String code;

  Model model;
  HandWrittenMlp hand;
  float[] x;
  int[] y;

  /** The MLP compiled in memory with the given back end ({@code vector} or {@code scalar}). */
  static Model compile(String backend) throws Exception {
    return HiddenClasses.instantiate(generate(backend));
  }

  /**
   * The MLP's class, generated with the given back end through the same {@link Compilation} as
   * {@code gradc} and the Maven plugin (so with the optimization passes users get).
   */
  static GeneratedClass generate(String backend) throws Exception {
    return Compilation.of(
            new SourceFile("FashionMlp.grad", model()),
            Gradc.Options.defaults()
                .withPackage(HiddenClasses.PACKAGE)
                .withBackend(BackendKind.valueOf(backend.toUpperCase(java.util.Locale.ROOT))))
        .generate();
  }

  @Setup
  public void setup() throws Exception {
    SplittableRandom r = new SplittableRandom(5);
    x = new float[BATCH * 784];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble();
    }
    y = new int[BATCH];
    for (int i = 0; i < BATCH; i++) {
      y[i] = r.nextInt(10);
    }
    if (code.equals("hand")) {
      hand = new HandWrittenMlp(BATCH, 1);
    } else {
      model = compile(code);
      model.initialize(1);
      model.feed("x", x);
      model.feed("y", y);
    }
  }

  /**
   * Starts every iteration from fresh parameters and optimizer state. Thousands of steps on one
   * batch would fit it: gradients vanish, Adam's moments become subnormal floats, and every step
   * then runs 17× slower on subnormal arithmetic (measured: 17 ns instead of 1 ns per parameter
   * update), which real training on changing batches does not see.
   */
  @Setup(Level.Iteration)
  public void restart() {
    if (hand != null) {
      hand = new HandWrittenMlp(BATCH, 1);
    } else {
      model.initialize(1);
    }
  }

  @Benchmark
  @OperationsPerInvocation(FLOPS)
  public double trainStep() {
    return hand != null ? hand.trainStep(x, y, BATCH, 1e-3f) : model.trainStep();
  }
}
