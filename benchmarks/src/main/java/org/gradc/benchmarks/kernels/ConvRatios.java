package org.gradc.benchmarks.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.gradc.compiler.Compilation;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.BackendKind;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.HiddenClasses;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;

/**
 * The three passes of FashionCnn's second convolution (3×3, 16 → 32 channels, padding 1, on 14×14
 * images, batch 64), each kernel method of the generated class timed alone, next to the matmul
 * probe's GFLOP/s measured in the same rounds ({@link KernelRatios}' method: interleaved bursts,
 * best burst kept). The target is each pass at ≥ 50 % of the probe. Then the whole training
 * step and every kernel method's best time, so one sees where a step goes.
 *
 * <p>FLOPs count the multiply-adds actually executed, two each: taps that fall on the padding are
 * skipped by every pass (per image 40 × 40 in-image taps of the 14 × 14 × 9 nominal, so 2 · 64 ·
 * 1600 · 16 · 32 = 104.9 MFLOP per pass; the nominal count, 115.6 MFLOP, is 10 % more).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.kernels.ConvRatios [vector|scalar] [rounds] [warm-up seconds]</pre>
 */
public final class ConvRatios {
  private ConvRatios() {}

  static final int BATCH = 64;
  static final String MODEL_RESOURCE = "/org/gradc/examples/FashionCnn.grad";

  /** 2 · batch · in-image taps (40 × 40) · 16 · 32: see the class comment. */
  static final double PASS_FLOPS = 2.0 * BATCH * 40 * 40 * 16 * 32;

  interface Call {
    void run() throws Throwable;
  }

  record Timed(String name, double flops, Call call) {}

  static String model() throws IOException {
    try (InputStream in = ConvRatios.class.getResourceAsStream(MODEL_RESOURCE)) {
      if (in == null) {
        throw new java.io.FileNotFoundException(MODEL_RESOURCE + " is not on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** FashionCnn's class, as {@code gradc} generates it, with the given back end. */
  static GeneratedClass generate(String backend) throws Exception {
    return Compilation.of(
            new SourceFile("FashionCnn.grad", model()),
            Gradc.Options.defaults()
                .withPackage(HiddenClasses.PACKAGE)
                .withBackend(BackendKind.valueOf(backend.toUpperCase(Locale.ROOT))))
        .generate();
  }

  /** The kernel method of the second layer's pass {@code op}, by the note in its dump. */
  static String find(GeneratedClass code, String op) {
    for (Map.Entry<String, String> e : code.kernels().entrySet()) {
      String text = e.getValue();
      if (!e.getKey().contains("_")
          && text.contains("conv2d(h1, K2")
          && text.contains(": conv [")
          && text.contains(" " + op + "(")) {
        return e.getKey();
      }
    }
    throw new IllegalStateException("no kernel for " + op);
  }

  public static void main(String[] args) throws Throwable {
    // each kernel method is timed alone: every kernel needs a method of its own (StepForm)
    System.setProperty("gradc.steps", "unrolled");
    String backend = args.length > 0 ? args[0] : "vector";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    GeneratedClass code = generate(backend);
    Model m = HiddenClasses.instantiate(code);
    m.initialize(1);
    SplittableRandom r = new SplittableRandom(5);
    float[] x = new float[BATCH * 784];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble();
    }
    int[] y = new int[BATCH];
    for (int i = 0; i < BATCH; i++) {
      y[i] = r.nextInt(10);
    }
    m.feed("x", x);
    m.feed("y", y);
    MatmulBench probe = new MatmulBench();
    probe.setup();
    long until = System.nanoTime() + warmup * 1_000_000_000L;
    while (System.nanoTime() < until) {
      m.trainStep();
      probe.probe();
    }
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
    // each kernel method is called once per step, and HotSpot compiles a method fully only after
    // hundreds of calls (before that, only its loops, on-stack): call each on two images that often
    // (one would leave the loop over images untaken)
    for (int c = 0; c < 2000; c++) {
      for (MethodHandle h : kernels.values()) {
        h.invokeExact((Object) m, 2);
      }
    }
    m.initialize(1); // fresh moments (see TrainStepBench#restart)
    List<Timed> ts = new ArrayList<>();
    ts.add(new Timed("matmul probe (64x784 @ 784x256)", MatmulBench.BIG, probe::probe));
    String[][] passes = {
      {"forward", "conv2d"},
      {"input gradient", "conv2d_input_grad"},
      {"weight gradient", "conv2d_weight_grad"}
    };
    for (String[] pass : passes) {
      String k = find(code, pass[1]);
      MethodHandle h = kernels.get(k);
      ts.add(
          new Timed(
              "conv 2 " + pass[0] + " (" + k + ")",
              PASS_FLOPS,
              () -> {
                h.invokeExact((Object) m, BATCH);
              }));
    }
    Map<String, Double> best = new LinkedHashMap<>();
    double step = Double.MAX_VALUE;
    Map<String, Double> kernelBest = new LinkedHashMap<>();
    Map<String, Long> kernelBytes = new LinkedHashMap<>();
    com.sun.management.ThreadMXBean bean =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    long allocated = 0;
    for (int round = 0; round < rounds; round++) {
      for (Timed t : ts) {
        int calls = Math.max(1, (int) (2e8 / t.flops()));
        long t0 = System.nanoTime();
        for (int c = 0; c < calls; c++) {
          t.call().run();
        }
        best.merge(t.name(), t.flops() * calls / (System.nanoTime() - t0), Math::max);
      }
      long a0 = bean.getThreadAllocatedBytes(tid);
      long t0 = System.nanoTime();
      m.trainStep();
      step = Math.min(step, (System.nanoTime() - t0) / 1e6);
      allocated += bean.getThreadAllocatedBytes(tid) - a0;
      for (Map.Entry<String, MethodHandle> k : kernels.entrySet()) {
        long a = bean.getThreadAllocatedBytes(tid);
        long s = System.nanoTime();
        k.getValue().invokeExact((Object) m, BATCH);
        kernelBest.merge(k.getKey(), (System.nanoTime() - s) / 1e3, Math::min);
        kernelBytes.put(k.getKey(), bean.getThreadAllocatedBytes(tid) - a);
      }
    }
    double p = best.values().iterator().next();
    System.out.printf(
        Locale.ROOT,
        "FashionCnn, %s back end, batch %d, %d rounds, load average %.2f%n",
        backend,
        BATCH,
        rounds,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf(Locale.ROOT, "%-48s %9s %9s%n", "kernel (f32)", "GFLOP/s", "of probe");
    for (Map.Entry<String, Double> e : best.entrySet()) {
      System.out.printf(
          Locale.ROOT, "%-48s %9.1f %8.0f%%%n", e.getKey(), e.getValue(), 100 * e.getValue() / p);
    }
    System.out.printf(
        Locale.ROOT,
        "best trainStep %.2f ms (%d bytes allocated over %d steps); each kernel method alone,"
            + " best time and bytes allocated in the last round:%n",
        step,
        allocated,
        rounds);
    for (Map.Entry<String, Double> e : kernelBest.entrySet()) {
      String first =
          code.kernels()
              .get(e.getKey())
              .lines()
              .filter(l -> l.contains("// "))
              .findFirst()
              .orElse("");
      System.out.printf(
          Locale.ROOT,
          "  %-10s %9.1f us %9d B  %s%n",
          e.getKey(),
          e.getValue(),
          kernelBytes.get(e.getKey()),
          first.strip().substring(0, Math.min(110, first.strip().length())));
    }
  }
}
