package org.gradc.benchmarks;

import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.gradc.compiler.Compilation;
import org.gradc.compiler.Gradc;
import org.gradc.compiler.codegen.BackendKind;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.HiddenClasses;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;
import org.gradc.runtime.TensorKind;
import org.gradc.runtime.TensorSpec;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Where one training step of a model goes: the best time of every kernel method the step calls,
 * over interleaved rounds, after the whole step has been warmed up; then the same times summed by
 * kernel kind ({@code matmul}, {@code pointwise}, {@code concat}, …, the first word of the kernel's
 * note); then the kernels that allocate on every call, with the bytes (a vector kernel compiled as
 * the Vector API's allocating Java fallback shows there). The kernels are those {@code
 * runTrainStep} calls, in its order, read from the class's bytecode; a kernel split into parts is
 * timed whole.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.StepProfile [MODEL] [vector|scalar] [warm-up steps] [batch]</pre>
 *
 * MODEL is a {@code .grad} file or a model shipped with the examples ({@code FashionMlp}, the
 * default, or {@code Names}). Inputs are eight seeded random batches fed in turn (floats in [0, 1),
 * ids uniform over their classes), so the step never fits one batch and drifts into subnormal
 * arithmetic. Default warm-up: 3,000 steps (an unrolled model's kernels each run once per step, so
 * C2 compiles them only after thousands of steps; see {@code Workload gradc-lstm}).
 */
public final class StepProfile {
  private StepProfile() {}

  public static void main(String[] args) throws Throwable {
    // each kernel method is timed alone: every kernel needs a method of its own (StepForm)
    System.setProperty("gradc.steps", "unrolled");
    String model = args.length > 0 ? args[0] : "FashionMlp";
    String backend = args.length > 1 ? args[1] : "vector";
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 3000;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    SourceFile source = source(model);
    long c0 = System.nanoTime();
    GeneratedClass code = generate(source, backend);
    double compileS = (System.nanoTime() - c0) / 1e9;
    Model m = HiddenClasses.instantiate(code);
    m.initialize(1);
    List<Runnable> feeds = feeds(m, batch);
    for (int s = 0; s < warmup; s++) {
      feeds.get(s % feeds.size()).run();
      m.trainStep();
    }
    List<String> order = trainStepKernels(code);
    MethodHandles.Lookup lookup =
        MethodHandles.privateLookupIn(m.getClass(), MethodHandles.lookup());
    Map<String, MethodHandle> kernels = new LinkedHashMap<>();
    for (String name : order) {
      kernels.put(
          name,
          lookup
              .findVirtual(m.getClass(), name, MethodType.methodType(void.class, int.class))
              .asType(MethodType.methodType(void.class, Object.class, int.class)));
    }
    Map<String, Double> best = new LinkedHashMap<>();
    double step = Double.MAX_VALUE;
    for (int round = 0; round < 60; round++) {
      feeds.get(round % feeds.size()).run();
      long t0 = System.nanoTime();
      m.trainStep();
      step = Math.min(step, (System.nanoTime() - t0) / 1e3);
      for (Map.Entry<String, MethodHandle> k : kernels.entrySet()) {
        long s = System.nanoTime();
        k.getValue().invokeExact((Object) m, batch);
        best.merge(k.getKey(), (System.nanoTime() - s) / 1e3, Math::min);
      }
    }
    Map<String, Long> allocated = allocations(m, kernels, feeds, batch);
    System.out.printf(
        Locale.ROOT,
        "%s, %s back end, batch %d, compiled in %.2f s, %d warm-up steps: best trainStep %.1f us,"
            + " %d kernel methods, sum of their bests %.1f us%n",
        source.name(),
        backend,
        batch,
        compileS,
        warmup,
        step,
        best.size(),
        best.values().stream().mapToDouble(Double::doubleValue).sum());
    Map<String, double[]> byKind = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : best.entrySet()) {
      double[] k = byKind.computeIfAbsent(kind(firstLine(code, e.getKey())), x -> new double[2]);
      k[0] += e.getValue();
      k[1]++;
    }
    double stepUs = step;
    System.out.println("by kind and shape (sum of bests, methods, share of the best step):");
    byKind.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
        .forEach(
            e ->
                System.out.printf(
                    Locale.ROOT,
                    "  %9.1f us  %4d  %5.1f%%  %s%n",
                    e.getValue()[0],
                    (int) e.getValue()[1],
                    100 * e.getValue()[0] / stepUs,
                    e.getKey()));
    long total = allocated.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf(
        Locale.ROOT,
        "allocated per call (least of 3): %d bytes in all kernels; kernels that allocate:%n",
        total);
    allocated.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(
            e ->
                System.out.printf(
                    Locale.ROOT,
                    "  %-10s %,12d B  %9.1f us  %s%n",
                    e.getKey(),
                    e.getValue(),
                    best.get(e.getKey()),
                    firstLine(code, e.getKey())));
    System.out.println("the 30 slowest kernel methods:");
    best.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .limit(30)
        .forEach(
            e ->
                System.out.printf(
                    Locale.ROOT,
                    "  %-10s %9.1f us  %s%n",
                    e.getKey(),
                    e.getValue(),
                    firstLine(code, e.getKey())));
  }

  /**
   * Bytes each kernel method allocates per call, the least over a few calls after the timed rounds
   * (so the timings do not include reading the counter). A vector kernel should allocate nothing
   * (the k-blocked products' packed panels aside): a kernel that allocates on every call has been
   * compiled, in whole or in part, as the Vector API's Java fallback, which boxes each vector into
   * a new array (docs/performance.md, "The AVX2-capped LSTM step").
   */
  private static Map<String, Long> allocations(
      Model m, Map<String, MethodHandle> kernels, List<Runnable> feeds, int batch)
      throws Throwable {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    Map<String, Long> least = new LinkedHashMap<>();
    for (int round = 0; round < 3; round++) {
      feeds.get(round % feeds.size()).run();
      m.trainStep();
      for (Map.Entry<String, MethodHandle> k : kernels.entrySet()) {
        long before = threads.getCurrentThreadAllocatedBytes();
        k.getValue().invokeExact((Object) m, batch);
        long bytes = threads.getCurrentThreadAllocatedBytes() - before;
        least.merge(k.getKey(), bytes, Math::min);
      }
    }
    return least;
  }

  /**
   * {@code source}'s class generated with {@code backend} ({@code vector} or {@code scalar}), in
   * the package hidden classes are defined in.
   */
  static GeneratedClass generate(SourceFile source, String backend) throws Exception {
    return Compilation.of(
            source,
            Gradc.Options.defaults()
                .withPackage(HiddenClasses.PACKAGE)
                .withBackend(BackendKind.valueOf(backend.toUpperCase(Locale.ROOT))))
        .generate();
  }

  /** A {@code .grad} file, or a model of the examples by its name. */
  static SourceFile source(String model) throws Exception {
    Path file = Path.of(model);
    if (model.endsWith(".grad") && Files.isRegularFile(file)) {
      return new SourceFile(file.getFileName().toString(), Files.readString(file));
    }
    String resource = "/org/gradc/examples/" + model + ".grad";
    try (InputStream in = StepProfile.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no file " + model + " and no example " + resource);
      }
      return new SourceFile(model + ".grad", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Eight seeded random batches, each a runnable feeding every input. */
  static List<Runnable> feeds(Model m, int batch) {
    SplittableRandom r = new SplittableRandom(5);
    List<Runnable> feeds = new ArrayList<>();
    for (int b = 0; b < 8; b++) {
      Map<String, Object> values = new LinkedHashMap<>();
      for (TensorSpec t : m.spec().ofKind(TensorKind.INPUT)) {
        int n = t.size(batch);
        if (t.dtype() == org.gradc.runtime.DType.I32) {
          int[] v = new int[n];
          int classes = t.classes() > 0 ? t.classes() : 2;
          for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(classes);
          }
          values.put(t.name(), v);
        } else if (t.dtype() == org.gradc.runtime.DType.F64) {
          double[] v = new double[n];
          for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble();
          }
          values.put(t.name(), v);
        } else {
          float[] v = new float[n];
          for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble();
          }
          values.put(t.name(), v);
        }
      }
      feeds.add(
          () ->
              values.forEach(
                  (name, v) -> {
                    if (v instanceof int[] a) {
                      m.feed(name, a);
                    } else if (v instanceof double[] a) {
                      m.feed(name, a);
                    } else {
                      m.feed(name, (float[]) v);
                    }
                  }));
    }
    return feeds;
  }

  /**
   * The kernel methods {@code runTrainStep} calls, in order, following calls to the class's own
   * non-kernel helpers (an entry split across methods).
   */
  static List<String> trainStepKernels(GeneratedClass code) {
    Map<String, List<String>> calls = new LinkedHashMap<>();
    new ClassReader(code.bytes())
        .accept(
            new ClassVisitor(Opcodes.ASM9) {
              @Override
              public MethodVisitor visitMethod(
                  int access, String name, String desc, String sig, String[] exceptions) {
                List<String> called = new ArrayList<>();
                calls.put(name, called);
                return new MethodVisitor(Opcodes.ASM9) {
                  @Override
                  public void visitMethodInsn(
                      int op, String owner, String callee, String d, boolean itf) {
                    called.add(callee);
                  }
                };
              }
            },
            ClassReader.SKIP_DEBUG);
    Set<String> out = new LinkedHashSet<>();
    collect("runTrainStep", calls, code.kernels().keySet(), out, new LinkedHashSet<>());
    if (out.isEmpty()) {
      throw new IllegalStateException("runTrainStep calls no kernel method: " + calls.keySet());
    }
    return new ArrayList<>(out);
  }

  private static void collect(
      String method,
      Map<String, List<String>> calls,
      Set<String> kernels,
      Set<String> out,
      Set<String> seen) {
    if (!seen.add(method)) {
      return;
    }
    for (String callee : calls.getOrDefault(method, List.of())) {
      if (kernels.contains(callee)) {
        out.add(callee);
      } else if (calls.containsKey(callee)) {
        collect(callee, calls, kernels, out, seen);
      }
    }
  }

  /** The kernel's note: its first rendered line naming a kind and shape, else its first line. */
  private static String firstLine(GeneratedClass code, String kernel) {
    String text = code.kernels().get(kernel);
    return text.lines()
        .filter(l -> l.matches(".*: [a-z_0-9]+ \\[.*"))
        .findFirst()
        .orElse(text.lines().findFirst().orElse(""))
        .trim();
  }

  private static final String SCALAR_TAIL = "scalar tail: ";

  /**
   * What a kernel does, from its rendered first line ({@code // names.grad:21 h[t] @ Wh: matmul
   * [batch, 512] matmul add}): the kind and shape after the source position, else the line.
   */
  static String kind(String first) {
    String line = first.replaceFirst("^\\s*//\\s*", "");
    // a vector loop's line names the loop first: "vector loop (…) over …, scalar tail: <note>"
    int tail = line.indexOf(SCALAR_TAIL);
    if (tail >= 0) {
      line = line.substring(tail + SCALAR_TAIL.length());
    }
    int colon = line.indexOf(": ");
    String rest = colon >= 0 ? line.substring(colon + 2) : line;
    int end = rest.indexOf(']');
    return end >= 0 ? rest.substring(0, end + 1) : rest;
  }
}
