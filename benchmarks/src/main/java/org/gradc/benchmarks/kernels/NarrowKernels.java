package org.gradc.benchmarks.kernels;

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
import org.gradc.runtime.TensorKind;

/**
 * The generated matmul kernels of narrow outputs (the MLP's 256 → 10 layer and its gradients) and
 * of one-row calls (one-example {@code predict}), at the JVM's vector width: GFLOP/s and bytes
 * allocated per call, next to the probe's GFLOP/s measured in the same interleaved rounds ({@link
 * KernelRatios}' method: bursts in turn, best burst kept), timed in thread CPU time. Run it once
 * per width to compare them:
 *
 * <pre>java --add-modules jdk.incubator.vector [-XX:MaxVectorSize=32|16] \
 *     -cp benchmarks/target/benchmarks.jar org.gradc.benchmarks.kernels.NarrowKernels \
 *     [rounds] [cnn|cnn2]</pre>
 *
 * <p>Rows: the batch-64 kernels of {@link GeneratedKernelBench} (fwd1 is the wide reference);
 * FashionMlp's forward kernels called on one row (the matmuls of {@code predict}) and the whole
 * {@code predict} (feed, forward, the 10 probabilities copied out), in ns per call, and the floor
 * of its hidden layer, the model's own W1 only read ({@link #weightReadFloor}); with {@code cnn},
 * the bytes FashionCnn's matmul kernels (the 10-wide dense layer's among them) allocate per call at
 * batch 64 once warmed at batch 64 ({@code cnn2}: warmed at 2 rows, see {@link #cnnAllocation}).
 * Allocation is per thread ({@code ThreadMXBean#getThreadAllocatedBytes}), over the timed calls of
 * the second half of the rounds.
 */
public final class NarrowKernels {
  private NarrowKernels() {}

  interface Call {
    void run() throws Throwable;
  }

  /** A timed call; {@code flops} 0 reports ns per call instead of GFLOP/s. */
  record Timed(String name, double flops, Call call) {}

  static Model compile(String resource, BackendKind backend) throws Exception {
    try (InputStream in = NarrowKernels.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new java.io.FileNotFoundException(resource + " is not on the class path");
      }
      GeneratedClass code =
          Compilation.of(
                  new SourceFile(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8)),
                  Gradc.Options.defaults().withPackage(HiddenClasses.PACKAGE).withBackend(backend))
              .generate();
      lastCode = code;
      return HiddenClasses.instantiate(code);
    }
  }

  private static GeneratedClass lastCode;

  static MethodHandle kernel(Model m, String name) throws ReflectiveOperationException {
    return MethodHandles.privateLookupIn(m.getClass(), MethodHandles.lookup())
        .findVirtual(m.getClass(), name, MethodType.methodType(void.class, int.class))
        .asType(MethodType.methodType(void.class, Object.class, int.class));
  }

  /** The forward-only variant of the kernel whose dump contains {@code marker}, else the kernel. */
  static String forwardKernel(GeneratedClass code, String marker) {
    String plain = null;
    for (Map.Entry<String, String> k : code.kernels().entrySet()) {
      if (k.getValue().contains(marker)) {
        if (k.getKey().endsWith("_forward")) {
          return k.getKey();
        }
        if (!k.getKey().contains("_")) {
          plain = k.getKey();
        }
      }
    }
    if (plain == null) {
      throw new IllegalStateException("no kernel with " + marker);
    }
    return plain;
  }

  /**
   * The thread's CPU time in ns: bursts are timed by it, not by the wall clock, so that time the
   * thread spends descheduled on a loaded machine does not count (its caches may still be cooled).
   */
  static long cpu() {
    return THREADS.getCurrentThreadCpuTime();
  }

  private static final java.lang.management.ThreadMXBean THREADS =
      ManagementFactory.getThreadMXBean();

  static float[] random(SplittableRandom r, int n) {
    return MatmulBench.random(r, n);
  }

  public static void main(String[] args) throws Throwable {
    // each kernel method is timed alone: every kernel needs a method of its own (StepForm)
    System.setProperty("gradc.steps", "unrolled");
    // allocation is counted over the second half of the rounds, so there must be two at least
    int rounds = Math.max(2, args.length > 0 ? Integer.parseInt(args[0]) : 20);
    // "cnn": FashionCnn's matmul kernels warmed at batch 64; "cnn2": warmed at 2 rows
    String cnn = args.length > 1 ? args[1] : "";
    com.sun.management.ThreadMXBean bean =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();

    MatmulBench h = new MatmulBench();
    h.setup();
    GeneratedKernelBench gv = new GeneratedKernelBench();
    gv.backend = "vector";
    gv.setup();

    // one-example predict on FashionMlp, as Workload gradc-predict runs it
    Model mlp = compile("/org/gradc/examples/FashionMlp.grad", BackendKind.VECTOR);
    GeneratedClass mlpCode = lastCode;
    mlp.initialize(0);
    SplittableRandom r = new SplittableRandom(3);
    float[][] xs = new float[64][];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = random(r, 784);
    }
    mlp.feed("x", xs[0]);
    float[] live = (float[]) mlp.tensor(TensorKind.OUTPUT, "probs");
    float[] probs = new float[10];
    int[] next = {0};
    MethodHandle hidden = kernel(mlp, forwardKernel(mlpCode, "@ p_W1[k, 256]"));
    MethodHandle logits = kernel(mlp, forwardKernel(mlpCode, "@ p_W2[k, 10]"));

    double big = MatmulBench.BIG;
    double small = MatmulBench.SMALL;
    List<Timed> ts = new ArrayList<>();
    ts.add(new Timed("probe (MatmulProbe.vec, 64x784 @ 784x256)", big, h::probe));
    ts.add(new Timed("fwd1 x W1 (batch 64, n=256)", big, () -> gv.fwd1()));
    ts.add(new Timed("fwd2 h W2 (batch 64, n=10)", small, () -> gv.fwd2()));
    ts.add(new Timed("bwdIn dL W2T (batch 64, k=10)", small, () -> gv.bwdIn()));
    ts.add(new Timed("gW2 hT dL (m=256, k=64, n=10)", small, () -> gv.gradW2()));
    ts.add(new Timed("gW1 xT dH (m=784, k=64, n=256)", big, () -> gv.gradW1()));
    ts.add(
        new Timed(
            "predict x W1 (1 row, n=256)",
            2.0 * 784 * 256,
            () -> {
              hidden.invokeExact((Object) mlp, 1);
            }));
    ts.add(
        new Timed(
            "predict h W2 (1 row, n=10)",
            2.0 * 256 * 10,
            () -> {
              logits.invokeExact((Object) mlp, 1);
            }));
    ts.add(
        new Timed(
            "predict (feed, forward, copy out), ns",
            0,
            () -> {
              mlp.feed("x", xs[next[0]++ & 63]);
              mlp.forward();
              System.arraycopy(live, 0, probs, 0, 10);
            }));

    // warm-up: 2 s and 3,000 calls of each, so that C2 has compiled every kernel method whole even
    // on a loaded machine (before that its loops run on-stack compiled, which box vectors)
    for (Timed t : ts) {
      long until = System.nanoTime() + 2_000_000_000L;
      for (int c = 0; c < 3000 || System.nanoTime() < until; c++) {
        t.call().run();
      }
    }
    Map<String, Double> best = new LinkedHashMap<>();
    Map<String, Long> bytes = new LinkedHashMap<>();
    Map<String, Long> calls = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      for (Timed t : ts) {
        int n = t.flops() == 0 ? 20_000 : Math.max(1, (int) (2e8 / t.flops()));
        long t0 = cpu();
        long a0 = bean.getThreadAllocatedBytes(tid);
        for (int c = 0; c < n; c++) {
          t.call().run();
        }
        long a1 = bean.getThreadAllocatedBytes(tid);
        long dt = cpu() - t0;
        if (2 * round >= rounds) { // allocation over the second half of the rounds
          bytes.merge(t.name(), a1 - a0, Long::sum);
          calls.merge(t.name(), (long) n, Long::sum);
        }
        double score = t.flops() == 0 ? -(double) dt / n : t.flops() * n / dt;
        best.merge(t.name(), score, Math::max);
      }
    }
    double probe = best.values().iterator().next();
    System.out.printf(
        Locale.ROOT,
        "%s, %d-bit species, JDK %s, %d rounds, load average %.2f%n",
        System.getProperty("os.arch"),
        jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize(),
        Runtime.version(),
        rounds,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf(
        Locale.ROOT,
        "%-44s %10s %9s %12s%n",
        "kernel (f32, generated vector)",
        "GFLOP/s",
        "of probe",
        "B/call");
    for (Timed t : ts) {
      double s = best.get(t.name());
      double perCall = (double) bytes.get(t.name()) / calls.get(t.name());
      if (t.flops() == 0) {
        System.out.printf(Locale.ROOT, "%-44s %7.0f ns %9s %12.1f%n", t.name(), -s, "", perCall);
      } else {
        System.out.printf(
            Locale.ROOT, "%-44s %10.1f %8.0f%% %12.1f%n", t.name(), s, 100 * s / probe, perCall);
      }
    }
    predictProfile(mlp, mlpCode, rounds);
    weightReadFloor((float[]) mlp.tensor(TensorKind.PARAM, "W1"), rounds);
    if (cnn.startsWith("cnn")) {
      cnnAllocation(bean, tid, cnn.equals("cnn2") ? 2 : 64);
    }
  }

  /** The kernel methods {@code runForward} calls, in order, read from the class's bytecode. */
  static List<String> forwardKernels(GeneratedClass code) {
    List<String> out = new ArrayList<>();
    new org.objectweb.asm.ClassReader(code.bytes())
        .accept(
            new org.objectweb.asm.ClassVisitor(org.objectweb.asm.Opcodes.ASM9) {
              @Override
              public org.objectweb.asm.MethodVisitor visitMethod(
                  int access, String name, String desc, String sig, String[] ex) {
                if (!name.equals("runForward")) {
                  return null;
                }
                return new org.objectweb.asm.MethodVisitor(org.objectweb.asm.Opcodes.ASM9) {
                  @Override
                  public void visitMethodInsn(
                      int op, String owner, String method, String d, boolean itf) {
                    if (code.kernels().containsKey(method)) {
                      out.add(method);
                    }
                  }
                };
              }
            },
            0);
    return out;
  }

  /** Where one-example {@code predict} goes: each kernel of the forward pass alone, on one row. */
  static void predictProfile(Model m, GeneratedClass code, int rounds) throws Throwable {
    Map<String, MethodHandle> ks = new LinkedHashMap<>();
    for (String k : forwardKernels(code)) {
      ks.put(k, kernel(m, k));
    }
    Map<String, Double> best = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      for (Map.Entry<String, MethodHandle> e : ks.entrySet()) {
        MethodHandle h = e.getValue();
        int calls = round == 0 ? 20_000 : 5_000; // the first round warms up
        long t0 = cpu();
        for (int c = 0; c < calls; c++) {
          h.invokeExact((Object) m, 1);
        }
        if (round > 0) {
          best.merge(e.getKey(), (cpu() - t0) / (double) calls, Math::min);
        }
      }
    }
    System.out.println("predict, the forward kernels alone on one row (best ns per call):");
    for (Map.Entry<String, Double> e : best.entrySet()) {
      String note =
          code.kernels()
              .get(e.getKey())
              .lines()
              .filter(l -> l.contains("// "))
              .findFirst()
              .orElse("")
              .strip();
      System.out.printf(
          Locale.ROOT,
          "  %-12s %8.0f ns  %s%n",
          e.getKey(),
          e.getValue(),
          note.substring(0, Math.min(100, note.length())));
    }
  }

  /**
   * The floor of predict's hidden layer: the same 784 × 256 weights (the model's own W1 array, so
   * at the same address) only read, summed into 8 vector accumulators, and the same read started at
   * each of one vector's offsets {@code o} (elements {@code o ..} of W1): one of them is aligned to
   * the vector size, the others split every load across two cache lines. A heap array's address is
   * not visible to Java, so the kernel cannot choose; this shows what its placement costs.
   */
  static void weightReadFloor(float[] w, int rounds) {
    int lanes = PREFERRED.length();
    double[] best = new double[lanes];
    java.util.Arrays.fill(best, Double.MAX_VALUE);
    for (int round = 0; round <= rounds; round++) {
      for (int o = 0; o < lanes; o++) {
        int calls = round == 0 ? 3_000 : 1_000; // the first round warms up
        long t0 = cpu();
        for (int c = 0; c < calls; c++) {
          sumFrom(w, o);
        }
        if (round > 0) {
          best[o] = Math.min(best[o], (cpu() - t0) / (double) calls);
        }
      }
    }
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (double b : best) {
      lo = Math.min(lo, b);
      hi = Math.max(hi, b);
    }
    System.out.printf(
        Locale.ROOT,
        "the same W1 (%d KB) only read: %.0f ns from element 0 (%.1f GB/s); from offsets 0..%d:"
            + " best %.0f ns, worst %.0f ns%n",
        w.length * 4 / 1024,
        best[0],
        w.length * 4 / best[0],
        lanes - 1,
        lo,
        hi);
  }

  static float sink;

  /** A constant, so that C2 intrinsifies the vector calls (a species passed in is not). */
  private static final jdk.incubator.vector.VectorSpecies<Float> PREFERRED =
      jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;

  private static void sumFrom(float[] w, int from) {
    var s = PREFERRED;
    int l = s.length();
    var a0 = jdk.incubator.vector.FloatVector.zero(s);
    var a1 = a0;
    var a2 = a0;
    var a3 = a0;
    var a4 = a0;
    var a5 = a0;
    var a6 = a0;
    var a7 = a0;
    for (int i = from; i + 8 * l <= w.length; i += 8 * l) {
      a0 = a0.add(jdk.incubator.vector.FloatVector.fromArray(s, w, i));
      a1 = a1.add(jdk.incubator.vector.FloatVector.fromArray(s, w, i + l));
      a2 = a2.add(jdk.incubator.vector.FloatVector.fromArray(s, w, i + 2 * l));
      a3 = a3.add(jdk.incubator.vector.FloatVector.fromArray(s, w, i + 3 * l));
      a4 = a4.add(jdk.incubator.vector.FloatVector.fromArray(s, w, i + 4 * l));
      a5 = a5.add(jdk.incubator.vector.FloatVector.fromArray(s, w, i + 5 * l));
      a6 = a6.add(jdk.incubator.vector.FloatVector.fromArray(s, w, i + 6 * l));
      a7 = a7.add(jdk.incubator.vector.FloatVector.fromArray(s, w, i + 7 * l));
    }
    sink += a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).lane(0);
  }

  /**
   * FashionCnn at batch 64: each matmul kernel method called alone, {@code warm} times at {@code
   * warmRows} rows (so C2 compiles it whole with that profile), then 5 times at batch 64, its bytes
   * allocated per call. Warmed at batch 64 this is the steady state; warmed at 2 rows (as {@link
   * ConvRatios} does) the block loop that batch 64 runs was never taken, C2 compiled it as a trap,
   * and the first calls at 64 rows run interpreted until C2 recompiles.
   */
  static void cnnAllocation(com.sun.management.ThreadMXBean bean, long tid, int warmRows)
      throws Throwable {
    Model m = compile(ConvRatios.MODEL_RESOURCE, BackendKind.VECTOR);
    GeneratedClass code = lastCode;
    m.initialize(1);
    SplittableRandom r = new SplittableRandom(5);
    int batch = 64;
    float[] x = random(r, batch * 784);
    int[] y = new int[batch];
    for (int i = 0; i < batch; i++) {
      y[i] = r.nextInt(10);
    }
    m.feed("x", x);
    m.feed("y", y);
    m.trainStep();
    System.out.printf(
        Locale.ROOT,
        "FashionCnn matmul kernel methods alone, 3000 calls at %d rows, then bytes per call at"
            + " 64:%n",
        warmRows);
    for (Map.Entry<String, String> e : code.kernels().entrySet()) {
      if (!e.getValue().contains("vector matmul")) {
        continue;
      }
      MethodHandle k = kernel(m, e.getKey());
      for (int c = 0; c < 3000; c++) {
        k.invokeExact((Object) m, warmRows);
      }
      long a0 = bean.getThreadAllocatedBytes(tid);
      for (int c = 0; c < 5; c++) {
        k.invokeExact((Object) m, batch);
      }
      long per = (bean.getThreadAllocatedBytes(tid) - a0) / 5;
      String note =
          e.getValue().lines().filter(l -> l.contains("// vector matmul")).findFirst().orElse("");
      System.out.printf(
          Locale.ROOT,
          "  %-10s %10d B  %s%n",
          e.getKey(),
          per,
          note.strip().substring(0, Math.min(110, note.strip().length())));
    }
  }
}
