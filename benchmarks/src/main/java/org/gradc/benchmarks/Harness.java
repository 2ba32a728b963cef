package org.gradc.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The end-to-end comparison, in one invocation: the Fashion-MNIST MLP for an epoch and the XOR net
 * for a fixed number of steps, trained by gradc's generated classes (a bare feed/trainStep loop,
 * and {@link org.gradc.runtime.train.Trainer#fit} with validation as {@code gradc train} runs it),
 * by hand-written Java loops and (where {@code python3} has {@code torch}) by PyTorch with 1 and
 * with 2 threads; the training step of {@code examples/…/FashionCnn.grad} (batch 64, random images,
 * after a warm-up reported apart; an epoch is 938 steps) against the same network in PyTorch;
 * one-example prediction latency of gradc against hand-written Java; and the Names LSTM of issue 12
 * (ms per training step, gradc against PyTorch on 1 thread, {@code --lstm-steps} timed after as
 * many warm-up steps, on {@code --words}; {@code --lstm-steps 0} skips it). Each run is a process
 * of its own, so peak memory is per run.
 *
 * <p>On a shared machine one run of each side is not a measurement: the whole set of runs is
 * repeated {@code --rounds} times, interleaved (every round runs each workload once, in the same
 * order), and the table shows each number's best round (least time; most steps per second), with
 * the median and the range over the rounds printed below it. Ratios are of the best rounds.
 *
 * <p>{@code --java PATH} (say {@code /usr/lib/jvm/temurin-25-jdk-amd64/bin/java}) runs every Java
 * workload a second time on that JVM, right after its run on this one, and prints a second table:
 * each timed number on both JVMs and their ratio.
 *
 * <p>{@code --isa avx2} measures an AVX2 machine on an AVX-512 one: every JVM gets {@code
 * -XX:UseAVX=2} (VEX code: 256-bit vectors and 16 vector registers, as on AVX2 hardware) and
 * PyTorch's libraries are capped to AVX2 ({@code DNNL_MAX_CPU_ISA}, {@code ATEN_CPU_CAPABILITY},
 * {@code OPENBLAS_CORETYPE}). The core's microarchitecture stays what it is. {@code --jvm-arg} adds
 * any other option to every Java workload.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.Harness [--rounds R] [--xor-steps N] [--cnn-steps N] [--no-torch] \
 *     [--python EXE] [--images F --labels F] [--java OTHER_JAVA] [--lstm-steps S] [--words F] \
 *     [--jvm-arg ARG]... [--isa avx2]
 * </pre>
 */
public final class Harness {
  private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\": (-?[0-9.eE+-]+)");

  /**
   * The JIT options the {@code gradc} launcher passes to {@code gradc train} (kernels to C2 within
   * the first steps, no on-stack-replacement copies of them; see the launcher), so that the {@code
   * gradc-train} workload's first epoch is the one {@code gradc train} users get. {@code
   * HarnessTest} checks that the launcher still passes exactly these.
   */
  static final List<String> TRAIN_JIT_OPTIONS =
      List.of(
          "-XX:CompileCommand=quiet",
          "-XX:CompileCommand=CompileThresholdScaling,org.gradc.compiler.codegen.*::k*,0.01",
          "-XX:-UseOnStackReplacement");

  /**
   * The heap options the {@code gradc} launcher passes to every command after {@code
   * -XX:+UseParallelGC}: a 64 MB young generation. The {@code gradc-train} workload gets them too
   * (before round 2 session 7 it did not: with the harness's {@code -Xmx640m} alone the young
   * generation grew to hundreds of MB while the data loaded, and collections that copied part of
   * the data fell into the timed epochs; docs/performance.md, "Trainer.fit's wall clock"). {@code
   * HarnessTest} checks the launcher.
   */
  static final List<String> LAUNCHER_HEAP_OPTIONS = List.of("-Xmn64m");

  /** Workloads whose JVM gets {@link #TRAIN_JIT_OPTIONS} and {@link #LAUNCHER_HEAP_OPTIONS}. */
  static final List<String> LAUNCHED_AS_GRADC_TRAIN =
      List.of("gradc-train", "gradc-mlp-launcher", "trainer-step");

  /** The second JVM ({@code --java}), or null. */
  private static String otherJava;

  /** Options for every Java workload's JVM ({@code --jvm-arg}, {@code --isa}). */
  private static final List<String> JVM_ARGS = new ArrayList<>();

  /** Environment for every process, Java and PyTorch ({@code --isa}). */
  private static final Map<String, String> ENV = new LinkedHashMap<>();

  /** Each workload's rounds on {@link #otherJava}. */
  private static final Map<String, List<Map<String, Double>>> OTHER_RUNS = new LinkedHashMap<>();

  private Harness() {}

  public static void main(String[] args) throws Exception {
    int xorSteps = 200_000;
    int cnnSteps = 100;
    int rounds = 3;
    boolean torch = true;
    // Debian's python3-torch lives in the system interpreter, which a pyenv or venv on the PATH
    // hides.
    String python =
        Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    String dir = "/usr/share/datasets/fashion-mnist";
    Path images = Path.of(dir, "train-images-idx3-ubyte.gz");
    Path labels = Path.of(dir, "train-labels-idx1-ubyte.gz");
    int lstmSteps = 200;
    Path words = Path.of("/usr/share/dict/words");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--xor-steps" -> xorSteps = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--cnn-steps" -> cnnSteps = Integer.parseInt(args[++i]);
        case "--no-torch" -> torch = false;
        case "--python" -> python = args[++i];
        case "--images" -> images = Path.of(args[++i]);
        case "--labels" -> labels = Path.of(args[++i]);
        case "--java" -> otherJava = args[++i];
        case "--lstm-steps" -> lstmSteps = Integer.parseInt(args[++i]);
        case "--words" -> words = Path.of(args[++i]);
        case "--jvm-arg" -> JVM_ARGS.add(args[++i]);
        case "--isa" -> {
          String isa = args[++i];
          if (!isa.equals("avx2")) {
            System.err.println("--isa takes avx2 (the only instruction set it can cap to)");
            System.exit(2);
          }
          // AVX2 on an AVX-512 machine, on both sides: HotSpot then emits VEX code, which
          // reaches only 16 vector registers of 256 bits, as on a real AVX2 machine; oneDNN,
          // ATen's kernels and OpenBLAS are capped to the same instruction set
          JVM_ARGS.add("-XX:UseAVX=2");
          ENV.put("DNNL_MAX_CPU_ISA", "AVX2");
          ENV.put("ONEDNN_MAX_CPU_ISA", "AVX2");
          ENV.put("ATEN_CPU_CAPABILITY", "avx2");
          ENV.put("OPENBLAS_CORETYPE", "Haswell");
        }
        case "--help", "-h" -> {
          System.out.println(
              "usage: Harness [--rounds R] [--xor-steps N] [--cnn-steps N] [--no-torch]"
                  + " [--python EXE] [--images IDX --labels IDX] [--java OTHER_JAVA]"
                  + " [--lstm-steps S] [--words F] [--jvm-arg ARG]... [--isa avx2]");
          return;
        }
        default -> {
          System.err.println("unknown option " + args[i] + "; try --help");
          System.exit(2);
        }
      }
    }
    boolean mlp = Files.isReadable(images) && Files.isReadable(labels);
    if (!mlp) {
      System.err.println(
          "Fashion-MNIST not found at "
              + images
              + "; skipping the MLP"
              + " (install it with: apt-get install dataset-fashion-mnist)");
    }
    if (lstmSteps > 0 && !Files.isReadable(words)) {
      System.err.println(
          words + " not found; skipping the LSTM (install it with: apt-get install wamerican)");
      lstmSteps = 0;
    }
    Map<String, List<Map<String, Double>>> runs = new LinkedHashMap<>();
    Path script = null;
    if (torch) {
      script = Files.createTempFile("torch_bench", ".py");
      try (InputStream in = Harness.class.getResourceAsStream("torch_bench.py")) {
        Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (int round = 1; round <= rounds; round++) {
      System.err.println("round " + round + " of " + rounds);
      if (mlp) {
        for (String w :
            List.of(
                "gradc-mlp",
                "gradc-train",
                "gradc-mlp-launcher",
                "gradc-overhead",
                "gradc-mlp-1t",
                "gradc-mlp-2t",
                "gradc-mlp-2d",
                "java-mlp")) {
          add(runs, w, java(w, images.toString(), labels.toString()));
        }
        add(runs, "trainer-step", java("trainer-step"));
      }
      for (String w : List.of("gradc-xor", "java-xor")) {
        add(runs, w, java(w, Integer.toString(xorSteps)));
      }
      for (String w : List.of("gradc-predict", "java-predict")) {
        add(runs, w, java(w));
      }
      if (lstmSteps > 0) {
        add(runs, "gradc-lstm", java("gradc-lstm", words.toString(), Integer.toString(lstmSteps)));
        if (torch) {
          Map<String, Double> r =
              run(
                  "torch LSTM, 1 thread",
                  List.of(
                      python,
                      script.toString(),
                      "--threads",
                      "1",
                      "--lstm-only",
                      "--lstm-steps",
                      Integer.toString(lstmSteps),
                      "--words",
                      words.toString()));
          if (r != null) {
            add(runs, "torch-lstm", r);
          }
        }
      }
      if (cnnSteps > 0) {
        add(runs, "gradc-cnn", java("gradc-cnn", Integer.toString(cnnSteps)));
      }
      if (torch) {
        for (int threads : new int[] {1, 2}) {
          List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--threads"));
          cmd.add(Integer.toString(threads));
          cmd.addAll(List.of("--xor-steps", Integer.toString(Math.min(xorSteps, 20_000))));
          cmd.addAll(List.of("--images", images.toString(), "--labels", labels.toString()));
          cmd.addAll(List.of("--cnn-steps", Integer.toString(Math.min(cnnSteps, 40))));
          cmd.addAll(List.of("--predict-calls", "20000"));
          if (!mlp) {
            cmd.add("--skip-mlp");
          }
          Map<String, Double> r = run("torch, " + threads + " thread(s)", cmd);
          if (r == null) {
            System.err.println("PyTorch not available (python3 with torch); skipping it");
            torch = false;
            break;
          }
          add(runs, "torch-" + threads, r);
        }
      }
    }
    if (script != null) {
      Files.deleteIfExists(script);
    }
    Map<String, Map<String, Double>> results = new LinkedHashMap<>();
    runs.forEach((w, list) -> results.put(w, best(list)));
    System.out.println();
    if (!JVM_ARGS.isEmpty() || !ENV.isEmpty()) {
      System.out.println("Java workloads ran with " + JVM_ARGS + "; every process with " + ENV);
    }
    System.out.print(table(results, mlp));
    System.out.print(lstmTable(results));
    System.out.println();
    System.out.print(spread(runs));
    if (otherJava != null) {
      System.out.println();
      System.out.print(jvms(runs, OTHER_RUNS, version(thisJava()), version(otherJava)));
      System.out.println();
      System.out.print(spread(OTHER_RUNS));
    }
  }

  private static String thisJava() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** {@code java -version}'s first line, shortened to the quoted version. */
  private static String version(String java) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    Matcher m = Pattern.compile("version \"([^\"]+)\"").matcher(out);
    return m.find() ? m.group(1) : java;
  }

  /**
   * Every timed number of the Java workloads on both JVMs (best rounds) and the ratio of the second
   * to the first: below 1 the second JVM is faster.
   */
  static String jvms(
      Map<String, List<Map<String, Double>>> first,
      Map<String, List<Map<String, Double>>> second,
      String firstName,
      String secondName) {
    StringBuilder s =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%-14s %-20s %12s %12s %8s%n",
                "workload",
                "number (best)",
                "java " + firstName,
                "java " + secondName,
                "ratio"));
    second.forEach(
        (w, list) -> {
          Map<String, Double> a = best(first.get(w));
          Map<String, Double> b = best(list);
          for (String key : b.keySet()) {
            if (!(key.endsWith("_s")
                    || key.endsWith("_ms")
                    || key.endsWith("_us")
                    || key.equals("seconds"))
                || !a.containsKey(key)) {
              continue;
            }
            s.append(
                String.format(
                    Locale.ROOT,
                    "%-14s %-20s %12.4f %12.4f %8.3f%n",
                    w,
                    key,
                    a.get(key),
                    b.get(key),
                    b.get(key) / a.get(key)));
          }
        });
    return s.toString();
  }

  /** A PyTorch run's number for a table cell, or "-" when that run did not report it. */
  private static String torchNumber(Map<String, Double> run, String key) {
    return run == null || !run.containsKey(key)
        ? "-"
        : String.format(Locale.ROOT, "%.2f", run.get(key));
  }

  private static void add(
      Map<String, List<Map<String, Double>>> runs, String workload, Map<String, Double> r) {
    runs.computeIfAbsent(workload, k -> new ArrayList<>()).add(r);
  }

  /**
   * The best round of each number: the least, since the numbers compared are times and sizes (XOR's
   * steps/s is its fixed steps over the least seconds). Loss and accuracy, which only show that the
   * runs agree, take their least too.
   */
  static Map<String, Double> best(List<Map<String, Double>> rounds) {
    Map<String, Double> b = new LinkedHashMap<>();
    for (Map<String, Double> r : rounds) {
      r.forEach((k, v) -> b.merge(k, v, Math::min));
    }
    return b;
  }

  /** Per workload and timed number: best, median and worst over the rounds. */
  static String spread(Map<String, List<Map<String, Double>>> runs) {
    StringBuilder s = new StringBuilder("spread over the rounds: best / median / worst (rounds)\n");
    runs.forEach(
        (w, list) -> {
          for (String key : list.get(0).keySet()) {
            if (!(key.endsWith("_s")
                    || key.endsWith("_us")
                    || key.endsWith("_ms")
                    || key.equals("seconds"))
                || key.equals("compile_s")) {
              continue;
            }
            double[] v =
                list.stream().mapToDouble(m -> m.getOrDefault(key, Double.NaN)).sorted().toArray();
            double median =
                v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            s.append(
                String.format(
                    Locale.ROOT,
                    "  %-14s %-18s %10.4f %10.4f %10.4f  (%d)%n",
                    w,
                    key,
                    v[0],
                    median,
                    v[v.length - 1],
                    v.length));
          }
        });
    return s.toString();
  }

  /**
   * Runs a Java workload on this JVM and returns its numbers; with {@code --java}, then runs it on
   * the other JVM too (interleaved: same round, right after) and keeps those in {@link
   * #OTHER_RUNS}.
   */
  private static Map<String, Double> java(String workload, String... args) throws Exception {
    Map<String, Double> r = javaOn(thisJava(), workload, args);
    if (otherJava != null) {
      add(OTHER_RUNS, workload, javaOn(otherJava, workload, args));
    }
    return r;
  }

  private static Map<String, Double> javaOn(String java, String workload, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    // A heap just large enough for the 60,000 images as floats (plus the copy normalize makes):
    // with a larger one the JVM keeps garbage around and its RSS says more about the heap than
    // about the model. 512 MB is too small for the data; both Java runs get the same setting.
    cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx640m"));
    if (LAUNCHED_AS_GRADC_TRAIN.contains(workload)) {
      cmd.addAll(LAUNCHER_HEAP_OPTIONS);
      cmd.addAll(TRAIN_JIT_OPTIONS);
    }
    cmd.addAll(JVM_ARGS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    cmd.add(Workload.class.getName());
    cmd.add(workload);
    cmd.addAll(List.of(args));
    Map<String, Double> r = run(java.equals(thisJava()) ? workload : workload + " on " + java, cmd);
    if (r == null) {
      throw new IllegalStateException(workload + " failed; see its output above");
    }
    return r;
  }

  /** Runs one process, echoing its stderr; returns the numbers of its last stdout line. */
  private static Map<String, Double> run(String label, List<String> cmd)
      throws IOException, InterruptedException {
    System.err.println("running " + label + " ...");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().putAll(ENV);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0 || out.isEmpty()) {
      return null;
    }
    String last = out.substring(out.lastIndexOf('\n') + 1);
    Map<String, Double> values = new LinkedHashMap<>();
    Matcher m = NUMBER.matcher(last);
    while (m.find()) {
      values.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    System.err.println("  " + last);
    return values;
  }

  /**
   * The ratio rows of {@code Trainer.fit} over the bare loop: wall and thread CPU, each whole and
   * for the training part alone (validation is work the bare loop does not do), where the wall time
   * off the CPU went, the bare loop with and without {@code gradc train}'s JVM options, and the
   * in-process measurement ({@code gradc-overhead}). Rows whose workload did not run are left out.
   */
  static String fitOverBare(Map<String, Map<String, Double>> r) {
    StringBuilder s = new StringBuilder();
    Map<String, Double> bare = r.get("gradc-mlp");
    Map<String, Double> fit = r.get("gradc-train");
    if (bare != null && fit != null) {
      double g = bare.get("epoch_s");
      s.append(
          String.format(
              Locale.ROOT,
              "  MLP epoch Trainer.fit / bare loop     %6.3f   [<= 1.10] (validation: %.3f of it)%n",
              fit.get("epoch_s") / g,
              fit.get("val_s") / g));
      s.append(
          String.format(
              Locale.ROOT,
              "    its training part / bare loop     %6.3f   (without the validation)%n",
              fit.get("train_s") / g));
      s.append(
          String.format(
              Locale.ROOT,
              "    wall off the thread's CPU, fit / bare: waiting for a core %.3f / %.3f s,"
                  + " blocked %.3f / %.3f s (GC pauses %.3f / %.3f s); JIT CPU %.2f / %.2f s%n",
              fit.get("epoch_wait_s"),
              bare.get("epoch_wait_s"),
              fit.get("epoch_blocked_s"),
              bare.get("epoch_blocked_s"),
              fit.get("epoch_gc_s"),
              bare.get("epoch_gc_s"),
              fit.get("epoch_jit_cpu_s"),
              bare.get("epoch_jit_cpu_s")));
      s.append(
          String.format(
              Locale.ROOT,
              "  the same in thread CPU time           %6.3f   (robust to load; training part %.3f)%n",
              fit.get("epoch_cpu_s") / bare.get("epoch_cpu_s"),
              fit.get("train_cpu_s") / bare.get("epoch_cpu_s")));
      Map<String, Double> launched = r.get("gradc-mlp-launcher");
      if (launched != null) {
        s.append(
            String.format(
                Locale.ROOT,
                "  bare loop, gradc train's JVM options / none %6.3f (thread CPU %.3f)%n",
                launched.get("epoch_s") / g,
                launched.get("epoch_cpu_s") / bare.get("epoch_cpu_s")));
        s.append(
            String.format(
                Locale.ROOT,
                "  Trainer.fit / bare loop, both with them %6.3f (thread CPU %.3f; training part"
                    + " %.3f)%n",
                fit.get("epoch_s") / launched.get("epoch_s"),
                fit.get("epoch_cpu_s") / launched.get("epoch_cpu_s"),
                fit.get("train_cpu_s") / launched.get("epoch_cpu_s")));
      }
    }
    Map<String, Double> own = r.get("trainer-step");
    if (bare != null && own != null && bare.containsKey("steps")) {
      double stepUs = bare.get("epoch_s") * 1e6 / bare.get("steps");
      s.append(
          String.format(
              Locale.ROOT,
              "  the trainer's own work a step        %6.2f us (%.1f %% of a bare MLP step; 2x2"
                  + " model, gradc train's JVM options)%n",
              own.get("trainer_us_per_step"),
              100 * own.get("trainer_us_per_step") / stepUs));
    }
    Map<String, Double> over = r.get("gradc-overhead");
    if (over != null) {
      s.append(
          String.format(
              Locale.ROOT,
              "  the same in one JVM, alternating      %6.3f   [<= 1.10] (thread CPU: %.3f)%n",
              over.get("fit_epoch_s") / over.get("bare_epoch_s"),
              over.get("fit_epoch_cpu_s") / over.get("bare_epoch_cpu_s")));
      if (over.containsKey("fit_noval_epoch_s")) {
        s.append(
            String.format(
                Locale.ROOT,
                "    without validation                %6.3f   (thread CPU: %.3f)%n",
                over.get("fit_noval_epoch_s") / over.get("bare_epoch_s"),
                over.get("fit_noval_epoch_cpu_s") / over.get("bare_epoch_cpu_s")));
      }
    }
    return s.toString();
  }

  static String table(Map<String, Map<String, Double>> r, boolean mlp) {
    StringBuilder s = new StringBuilder();
    Map<String, Double> t1 = r.get("torch-1");
    Map<String, Double> t2 = r.get("torch-2");
    s.append(
        String.format(
            Locale.ROOT,
            "%-28s %12s %12s %12s %12s%n",
            "workload",
            "gradc",
            "java",
            "torch 1t",
            "torch 2t"));
    if (mlp) {
      row(s, "MLP epoch, warm (s)", r, "gradc-mlp", "java-mlp", "epoch_s", "mlp_epoch_s");
      row(
          s,
          "MLP first epoch (s)",
          r,
          "gradc-mlp",
          "java-mlp",
          "first_epoch_s",
          "mlp_first_epoch_s");
      row(s, "MLP peak RSS (MB)", r, "gradc-mlp", "java-mlp", "peak_rss_mb", "peak_rss_mb");
      Map<String, Double> fit = r.get("gradc-train");
      s.append(
          String.format(
              Locale.ROOT,
              "%-28s %12.3f %12s %12s %12s%n",
              "MLP epoch, Trainer.fit (s)",
              fit.get("epoch_s"),
              "-",
              "-",
              "-"));
      s.append(
          String.format(
              Locale.ROOT,
              "%-28s %12.3f %12s %12s %12s%n",
              "MLP first epoch, fit (s)",
              fit.get("first_epoch_s"),
              "-",
              "-",
              "-"));
    }
    Map<String, Double> gp = r.get("gradc-predict");
    Map<String, Double> jp = r.get("java-predict");
    for (String[] k : new String[][] {{"median_us", "median"}, {"p99_us", "p99"}}) {
      s.append(
          String.format(
              Locale.ROOT,
              "%-28s %12.2f %12.2f %12s %12s%n",
              "predict 1 example, " + k[1] + " (us)",
              gp.get(k[0]),
              jp.get(k[0]),
              torchNumber(r.get("torch-1"), "predict_" + k[0]),
              torchNumber(r.get("torch-2"), "predict_" + k[0])));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "%-28s %12.1f %12.1f %12s %12s%n",
            "predict, bytes alloc./call",
            gp.get("alloc_bytes_per_call"),
            jp.get("alloc_bytes_per_call"),
            "-",
            "-"));
    Map<String, Double> gc = r.get("gradc-cnn");
    if (gc != null) {
      s.append(
          String.format(
              Locale.ROOT,
              "%-28s %12.2f %12s %12s %12s%n",
              "CNN step, batch 64 (ms)",
              gc.get("step_ms"),
              "-",
              t1 == null || !t1.containsKey("cnn_step_ms")
                  ? "-"
                  : String.format(Locale.ROOT, "%.2f", t1.get("cnn_step_ms")),
              t2 == null || !t2.containsKey("cnn_step_ms")
                  ? "-"
                  : String.format(Locale.ROOT, "%.2f", t2.get("cnn_step_ms"))));
      s.append(
          String.format(
              Locale.ROOT,
              "%-28s %12.1f %12s %12s %12s%n",
              "CNN epoch = 938 steps (s)",
              gc.get("step_ms") * 938 / 1000,
              "-",
              t1 == null || !t1.containsKey("cnn_step_ms")
                  ? "-"
                  : String.format(Locale.ROOT, "%.1f", t1.get("cnn_step_ms") * 938 / 1000),
              t2 == null || !t2.containsKey("cnn_step_ms")
                  ? "-"
                  : String.format(Locale.ROOT, "%.1f", t2.get("cnn_step_ms") * 938 / 1000)));
      s.append(
          String.format(
              Locale.ROOT,
              "%-28s %12.2f %12s %12s %12s%n",
              "CNN warm-up, " + Math.round(gc.get("warmup_steps")) + " steps (s)",
              gc.get("warmup_s"),
              "-",
              "-",
              "-"));
    }
    Map<String, Double> gx = r.get("gradc-xor");
    Map<String, Double> jx = r.get("java-xor");
    double gradcXor = gx.get("steps") / gx.get("seconds");
    double javaXor = jx.get("steps") / jx.get("seconds");
    s.append(
        String.format(
            Locale.ROOT,
            "%-28s %12.0f %12.0f %12s %12s%n",
            "XOR steps/s",
            gradcXor,
            javaXor,
            t1 == null
                ? "-"
                : String.format(Locale.ROOT, "%.0f", t1.get("xor_steps") / t1.get("xor_s")),
            t2 == null
                ? "-"
                : String.format(Locale.ROOT, "%.0f", t2.get("xor_steps") / t2.get("xor_s"))));
    s.append(System.lineSeparator())
        .append("ratios (targets from issue 7 in brackets)")
        .append(System.lineSeparator());
    if (mlp) {
      double g = r.get("gradc-mlp").get("epoch_s");
      s.append(
          String.format(
              Locale.ROOT,
              "  MLP epoch gradc / hand-written Java   %6.3f%n",
              g / r.get("java-mlp").get("epoch_s")));
      s.append(fitOverBare(r));
      Map<String, Double> fit = r.get("gradc-train");
      s.append(
          String.format(
              Locale.ROOT,
              "  MLP first / warm epoch, Trainer.fit   %6.3f   [<= 1.5] (thread CPU: %.3f)%n",
              fit.get("first_epoch_s") / fit.get("epoch_s"),
              fit.get("first_epoch_cpu_s") / fit.get("epoch_cpu_s")));
      Map<String, Double> g1 = r.get("gradc-mlp-1t");
      Map<String, Double> g2 = r.get("gradc-mlp-2t");
      if (g1 != null && g2 != null) {
        // like for like: both through Trainer, each its fastest epoch after the first (a 2-thread
        // process's second epoch still pays for C2, which has no idle core; Workload.mlpTrainer)
        s.append(
            String.format(
                Locale.ROOT,
                "  MLP epoch gradc 1 / 2 threads        %6.3f   [>= 1.43] (threads(2): products"
                    + " split, Trainer both; JIT CPU in those epochs %.2f / %.2f s)%n",
                g1.get("epoch_s") / g2.get("epoch_s"),
                g1.get("epoch_jit_cpu_s"),
                g2.get("epoch_jit_cpu_s")));
      }
      Map<String, Double> gd = r.get("gradc-mlp-2d");
      if (g1 != null && gd != null) {
        s.append(
            String.format(
                Locale.ROOT,
                "  MLP epoch gradc 1 / 2 data-parallel  %6.3f   (dataParallel(2): shards on"
                    + " replicas)%n",
                g1.get("epoch_s") / gd.get("epoch_s")));
      }
      if (t1 != null) {
        double best =
            Math.min(t1.get("mlp_epoch_s"), t2 == null ? Double.MAX_VALUE : t2.get("mlp_epoch_s"));
        if (g2 != null) {
          s.append(
              String.format(
                  Locale.ROOT,
                  "  MLP epoch gradc 2 threads / PyTorch  %6.3f   [<= 0.3 with both cores]%n",
                  g2.get("epoch_s") / best));
        }
        s.append(
            String.format(
                Locale.ROOT,
                "  MLP epoch gradc / PyTorch best        %6.3f   [<= 0.5 on one thread]%n",
                g / best));
        double rss = r.get("gradc-mlp").get("peak_rss_mb");
        s.append(
            String.format(
                Locale.ROOT,
                "  MLP peak RSS gradc / PyTorch          %6.3f   [<= 1.0]%n",
                rss / t1.get("peak_rss_mb")));
      }
    }
    if (gc != null && t1 != null && t1.containsKey("cnn_step_ms")) {
      double best =
          Math.min(
              t1.get("cnn_step_ms"),
              t2 == null ? Double.MAX_VALUE : t2.getOrDefault("cnn_step_ms", Double.MAX_VALUE));
      s.append(
          String.format(
              Locale.ROOT,
              "  CNN step gradc / PyTorch best         %6.3f   [<= 0.5, issue 11]%n",
              gc.get("step_ms") / best));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "  XOR steps/s gradc / hand-written Java %6.2f   [>= 1.0]%n",
            gradcXor / javaXor));
    s.append(
        String.format(
            Locale.ROOT,
            "  predict median, Java / gradc          %6.2f   [>= 1.0]%n",
            jp.get("median_us") / gp.get("median_us")));
    if (t1 != null && t1.containsKey("predict_median_us")) {
      s.append(
          String.format(
              Locale.ROOT,
              "  predict median, PyTorch 1t / gradc    %6.2f   [>= 10]%n",
              t1.get("predict_median_us") / gp.get("median_us")));
    }
    if (t1 != null) {
      double best =
          Math.max(
              t1.get("xor_steps") / t1.get("xor_s"),
              t2 == null ? 0 : t2.get("xor_steps") / t2.get("xor_s"));
      s.append(
          String.format(
              Locale.ROOT,
              "  XOR steps/s gradc / PyTorch best      %6.1f   [>= 100]%n",
              gradcXor / best));
    }
    return s.toString();
  }

  /** The LSTM rows: ms per training step and the ratio to PyTorch (issue 12's target). */
  static String lstmTable(Map<String, Map<String, Double>> r) {
    Map<String, Double> g = r.get("gradc-lstm");
    if (g == null) {
      return "";
    }
    Map<String, Double> t = r.get("torch-lstm");
    StringBuilder s = new StringBuilder(System.lineSeparator());
    s.append(
        String.format(
            Locale.ROOT,
            "%-28s %12.2f %12s %12s %12s%n",
            "LSTM step, T=16 H=128 (ms)",
            g.get("lstm_step_ms"),
            "-",
            t == null ? "-" : String.format(Locale.ROOT, "%.2f", t.get("lstm_step_ms")),
            "-"));
    if (t != null) {
      s.append(
          String.format(
              Locale.ROOT,
              "  LSTM step gradc / PyTorch 1 thread    %6.3f   [<= 0.5]%n",
              g.get("lstm_step_ms") / t.get("lstm_step_ms")));
    }
    return s.toString();
  }

  private static void row(
      StringBuilder s,
      String name,
      Map<String, Map<String, Double>> r,
      String gradc,
      String java,
      String key,
      String torchKey) {
    Map<String, Double> t1 = r.get("torch-1");
    Map<String, Double> t2 = r.get("torch-2");
    s.append(
        String.format(
            Locale.ROOT,
            "%-28s %12.3f %12.3f %12s %12s%n",
            name,
            r.get(gradc).get(key),
            r.get(java).get(key),
            t1 == null ? "-" : String.format(Locale.ROOT, "%.3f", t1.get(torchKey)),
            t2 == null ? "-" : String.format(Locale.ROOT, "%.3f", t2.get(torchKey))));
  }
}
