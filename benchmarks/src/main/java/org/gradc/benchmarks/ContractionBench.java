package org.gradc.benchmarks;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gradc.compiler.codegen.GeneratedClass;
import org.gradc.compiler.codegen.HiddenClasses;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.runtime.Model;

/**
 * The time of a step's matmul kernels that contract over stacked rows ({@code k = n·T}: the weight
 * gradients {@code opt.DotMerger} merges, e.g. the Names LSTM's {@code ∂L/∂Wh}), each called many
 * times on its own after the whole step has been warmed up: best and median wall time, best thread
 * CPU time (less disturbed on a shared machine: another process's time slices are not counted) and
 * GFLOP/s of the best ({@code 2·m·k·n}, the epilogue's work counted in the time, not the FLOPs).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.ContractionBench [MODEL] [warm-up steps] [calls] [batch]</pre>
 *
 * MODEL is a {@code .grad} file or an example's name (default {@code Names}); the step is unrolled
 * ({@link StepProfile}'s form, so that each kernel is a method of its own).
 */
public final class ContractionBench {
  private ContractionBench() {}

  private static final Pattern SHAPE =
      Pattern.compile(
          "\\[m, (\\d+)\\] = a\\(i, k\\) @ \\S+\\[k, \\d+\\], m = (\\d+), k = n \\* (\\d+)");

  public static void main(String[] args) throws Throwable {
    System.setProperty("gradc.steps", "unrolled");
    String model = args.length > 0 ? args[0] : "Names";
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 600;
    int calls = args.length > 2 ? Integer.parseInt(args[2]) : 400;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 64;
    SourceFile source = StepProfile.source(model);
    GeneratedClass code = StepProfile.generate(source, "vector");
    Model m = HiddenClasses.instantiate(code);
    m.initialize(1);
    List<Runnable> feeds = StepProfile.feeds(m, batch);
    for (int s = 0; s < warmup; s++) {
      feeds.get(s % feeds.size()).run();
      m.trainStep();
    }
    MethodHandles.Lookup lookup =
        MethodHandles.privateLookupIn(m.getClass(), MethodHandles.lookup());
    Map<String, MethodHandle> kernels = new LinkedHashMap<>();
    Map<String, Double> flops = new LinkedHashMap<>();
    for (String name : StepProfile.trainStepKernels(code)) {
      Matcher x = SHAPE.matcher(code.kernels().get(name));
      if (!x.find()) {
        continue;
      }
      double n = Double.parseDouble(x.group(1));
      double rows = Double.parseDouble(x.group(2));
      double k = (double) batch * Integer.parseInt(x.group(3));
      flops.put(name, 2 * rows * k * n);
      kernels.put(
          name,
          lookup
              .findVirtual(m.getClass(), name, MethodType.methodType(void.class, int.class))
              .asType(MethodType.methodType(void.class, Object.class, int.class)));
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, double[]> wall = new LinkedHashMap<>();
    Map<String, double[]> cpu = new LinkedHashMap<>();
    kernels.keySet().forEach(k -> wall.put(k, new double[calls]));
    kernels.keySet().forEach(k -> cpu.put(k, new double[calls]));
    for (int c = 0; c < calls; c++) {
      for (Map.Entry<String, MethodHandle> k : kernels.entrySet()) {
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        k.getValue().invokeExact((Object) m, batch);
        long t1 = System.nanoTime();
        long c1 = threads.getCurrentThreadCpuTime();
        wall.get(k.getKey())[c] = (t1 - t0) / 1e3;
        cpu.get(k.getKey())[c] = (c1 - c0) / 1e3;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%s, batch %d, %d warm-up steps, %d calls each, %s%n",
        source.name(),
        batch,
        warmup,
        calls,
        System.getProperty("java.vm.version"));
    List<String> lines = new ArrayList<>();
    for (String k : kernels.keySet()) {
      double[] w = wall.get(k).clone();
      double[] t = cpu.get(k).clone();
      Arrays.sort(w);
      Arrays.sort(t);
      lines.add(
          String.format(
              Locale.ROOT,
              "  %-10s best %7.1f us (%5.1f GFLOP/s)  median %7.1f us  best CPU %7.1f us  %s",
              k,
              w[0],
              flops.get(k) / w[0] / 1e3,
              w[w.length / 2],
              t[0],
              StepProfile.kind(firstLine(code, k))));
    }
    lines.forEach(System.out::println);
  }

  private static String firstLine(GeneratedClass code, String kernel) {
    return code.kernels()
        .get(kernel)
        .lines()
        .filter(l -> l.matches(".*: [a-z_0-9]+ \\[.*"))
        .findFirst()
        .orElse("");
  }
}
