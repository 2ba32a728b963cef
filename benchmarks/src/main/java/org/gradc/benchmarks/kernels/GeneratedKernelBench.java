package org.gradc.benchmarks.kernels;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.gradc.compiler.autodiff.Autodiff;
import org.gradc.compiler.codegen.BackendKind;
import org.gradc.compiler.codegen.CodegenOptions;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.HiddenClasses;
import org.gradc.compiler.codegen.ModelCompiler;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.codegen.TrainingGraph;
import org.gradc.compiler.diag.SourceSpan;
import org.gradc.compiler.ir.DType;
import org.gradc.compiler.ir.Graph;
import org.gradc.compiler.ir.Node;
import org.gradc.compiler.ir.Shape;
import org.gradc.compiler.ir.TensorType;
import org.gradc.compiler.ir.ops.Emit;
import org.gradc.compiler.opt.Pipeline;
import org.gradc.runtime.Init;
import org.gradc.runtime.Model;
import org.gradc.runtime.OptimizerKind;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * GFLOP/s of the matmul kernels gradc generates for the 784-256-10 MLP at batch 64, with the vector
 * and the scalar back end: each benchmark calls one generated kernel method ({@code void k(int n)})
 * of a model whose buffers hold a real forward and backward pass. Score in ops/ns = GFLOP/s
 * (2·m·k·n per call), directly comparable with {@link MatmulBench}'s hand kernels and probe. What a
 * kernel also does is counted in its time but not in its FLOPs: fwd1 fuses bias, ReLU and the ReLU
 * mask; fwd2 fuses bias and the loss's elementwise terms; bwdIn first packs W2ᵀ (2,560 floats).
 *
 * <p>The model is the MLP with a mean-squared-error loss instead of softmax cross-entropy; the
 * matmuls, their shapes and orientations are the same.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar 'GeneratedKernelBench|MatmulBench'
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GeneratedKernelBench {
  static final int M = 64;

  @Param({"vector", "scalar"})
  public String backend;

  Object model;
  MethodHandle fwd1;
  MethodHandle fwd2;
  MethodHandle bwdIn;
  MethodHandle gradW1;
  MethodHandle gradW2;

  /** x[batch, 784] → relu(x W1 + b1) → h W2 + b2 → mean squared error against y[batch, 10]. */
  static Graph mlp() throws Exception {
    DType d = DType.F32;
    Graph.Builder b = Graph.builder().modelName("BenchMlp").precision(d);
    Emit e = new Emit(b, SourceSpan.SYNTHETIC);
    Node x = e.input("x", new TensorType(d, Shape.batched(784)));
    Node y = e.input("y", new TensorType(d, Shape.batched(10)));
    Node w1 = e.param("W1", new TensorType(d, Shape.of(784, 256)));
    Node b1 = e.param("b1", new TensorType(d, Shape.of(256)));
    Node w2 = e.param("W2", new TensorType(d, Shape.of(256, 10)));
    Node b2 = e.param("b2", new TensorType(d, Shape.of(10)));
    Node h = e.max(e.add(e.matmul(x, w1), b1), e.scalar(0));
    Node z = e.add(e.matmul(h, w2), b2);
    b.output("z", z);
    Node diff = e.sub(z, y);
    b.loss(e.mean(e.mul(diff, diff), false, 0, 1));
    return Autodiff.differentiate(b.build());
  }

  /**
   * Generates the MLP with the chosen back end ({@code scalar} or {@code vector}), after the
   * optimization passes every compilation runs.
   */
  static GeneratedClass generate(String backend) throws Exception {
    OptimizerKind opt = OptimizerKind.SGD;
    double[] hyper = new double[opt.hyperParameters().size()];
    for (int i = 0; i < hyper.length; i++) {
      hyper[i] = opt.hyperParameters().get(i).defaultValue();
    }
    TrainingGraph tg =
        new TrainingGraph(
            Pipeline.standard().run(mlp()).graph(), Map.<String, Init>of(), opt, hyper);
    return ModelCompiler.generate(
        tg,
        new CodegenOptions(
                Precision.F32,
                HiddenClasses.PACKAGE,
                true,
                "bench.grad",
                BackendKind.valueOf(backend.toUpperCase(java.util.Locale.ROOT)))
            // each kernel is timed alone: it needs a method of its own
            .withSteps(org.gradc.compiler.codegen.StepForm.UNROLLED));
  }

  /** The kernel method whose vector-back-end dump contains {@code marker} (schedules agree). */
  static String kernel(GeneratedClass vectorCode, String... markers) {
    for (Map.Entry<String, String> k : vectorCode.kernels().entrySet()) {
      boolean all = !k.getKey().endsWith("_step");
      for (String m : markers) {
        all &= k.getValue().contains(m);
      }
      if (all) {
        return k.getKey();
      }
    }
    throw new IllegalStateException("no kernel with " + String.join(", ", markers));
  }

  @Setup
  public void setup() throws Throwable {
    GeneratedClass vectorCode = generate("vector");
    GeneratedClass code = backend.equals("vector") ? vectorCode : generate("scalar");
    Model m = HiddenClasses.instantiate(code);
    m.initialize(1);
    SplittableRandom r = new SplittableRandom(1);
    m.feed("x", MatmulBench.random(r, M * 784));
    m.feed("y", MatmulBench.random(r, M * 10));
    m.lossAndGradients();
    model = m;
    MethodHandles.Lookup lookup =
        MethodHandles.privateLookupIn(m.getClass(), MethodHandles.lookup());
    MethodType type = MethodType.methodType(void.class, int.class);
    MethodType erased = MethodType.methodType(void.class, Object.class, int.class);
    fwd1 = lookup.findVirtual(m.getClass(), kernel(vectorCode, "@ p_W1[k, 256]"), type);
    fwd2 = lookup.findVirtual(m.getClass(), kernel(vectorCode, "@ p_W2[k, 10]"), type);
    bwdIn =
        lookup.findVirtual(m.getClass(), kernel(vectorCode, "[m, 256] = a(i, k)", "k = 10"), type);
    gradW1 = lookup.findVirtual(m.getClass(), kernel(vectorCode, "g_W1[m, 256]"), type);
    gradW2 = lookup.findVirtual(m.getClass(), kernel(vectorCode, "g_W2[m, 10]"), type);
    fwd1 = fwd1.asType(erased);
    fwd2 = fwd2.asType(erased);
    bwdIn = bwdIn.asType(erased);
    gradW1 = gradW1.asType(erased);
    gradW2 = gradW2.asType(erased);
  }

  @Benchmark
  @OperationsPerInvocation(MatmulBench.BIG)
  public void fwd1() throws Throwable {
    fwd1.invokeExact(model, M);
  }

  @Benchmark
  @OperationsPerInvocation(MatmulBench.SMALL)
  public void fwd2() throws Throwable {
    fwd2.invokeExact(model, M);
  }

  @Benchmark
  @OperationsPerInvocation(MatmulBench.SMALL)
  public void bwdIn() throws Throwable {
    bwdIn.invokeExact(model, M);
  }

  @Benchmark
  @OperationsPerInvocation(MatmulBench.BIG)
  public void gradW1() throws Throwable {
    gradW1.invokeExact(model, M);
  }

  @Benchmark
  @OperationsPerInvocation(MatmulBench.SMALL)
  public void gradW2() throws Throwable {
    gradW2.invokeExact(model, M);
  }
}
