package org.gradc.benchmarks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.HiddenClasses;
import org.gradc.runtime.Model;

/**
 * Where one training step of the FashionMlp goes: the best time of every kernel method of the
 * generated class over interleaved rounds, after the whole step has been warmed up.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.StepProfile [vector|scalar] [warm-up seconds]</pre>
 */
public final class StepProfile {
  private StepProfile() {}

  public static void main(String[] args) throws Throwable {
    String backend = args.length > 0 ? args[0] : "vector";
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    TrainStepBench b = new TrainStepBench();
    b.code = backend;
    b.setup();
    GeneratedClass code = TrainStepBench.generate(backend);
    Model m = HiddenClasses.instantiate(code);
    m.initialize(1);
    m.feed("x", b.x);
    m.feed("y", b.y);
    long until = System.nanoTime() + warmup * 1_000_000_000L;
    while (System.nanoTime() < until) {
      m.trainStep();
    }
    m.initialize(1); // fresh moments: see TrainStepBench#restart
    MethodHandles.Lookup lookup =
        MethodHandles.privateLookupIn(m.getClass(), MethodHandles.lookup());
    Map<String, MethodHandle> kernels = new LinkedHashMap<>();
    for (String name : code.kernels().keySet()) {
      kernels.put(
          name,
          lookup
              .findVirtual(m.getClass(), name, MethodType.methodType(void.class, int.class))
              .asType(MethodType.methodType(void.class, Object.class, int.class)));
    }
    Map<String, Double> best = new LinkedHashMap<>();
    double step = Double.MAX_VALUE;
    for (int round = 0; round < 100; round++) {
      long t0 = System.nanoTime();
      m.trainStep();
      step = Math.min(step, (System.nanoTime() - t0) / 1e3);
      for (Map.Entry<String, MethodHandle> k : kernels.entrySet()) {
        long s = System.nanoTime();
        k.getValue().invokeExact((Object) m, TrainStepBench.BATCH);
        best.merge(k.getKey(), (System.nanoTime() - s) / 1e3, Math::min);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%s back end, batch %d: best trainStep %.1f us%n",
        backend,
        TrainStepBench.BATCH,
        step);
    for (Map.Entry<String, Double> e : best.entrySet()) {
      String first = code.kernels().get(e.getKey()).lines().findFirst().orElse("");
      System.out.printf(Locale.ROOT, "%-8s %9.1f us  %s%n", e.getKey(), e.getValue(), first);
    }
  }
}
