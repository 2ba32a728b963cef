package org.gradc.benchmarks.kernels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Kernel GFLOP/s as ratios to the probe's kernel, measured in one JVM by interleaving: every round
 * times a burst of calls of each kernel in turn, and each kernel keeps its best burst. On a machine
 * shared with other work, JMH's averages move with the neighbours' load from one benchmark to the
 * next; the best burst of interleaved rounds is what each kernel does when it has the core, and the
 * probe is measured under the same conditions within the same seconds.
 *
 * <p>Only kernels of the preferred species run here: a kernel using another species (such as {@link
 * HandKernels#fwd2Split}) makes later Vector API compilations in the same JVM fall off the
 * intrinsics, as seen in a first version of this harness; {@link MatmulBench} forks per kernel.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.gradc.benchmarks.kernels.KernelRatios [rounds]</pre>
 */
public final class KernelRatios {
  private KernelRatios() {}

  interface Call {
    void run() throws Throwable;
  }

  record Kernel(String name, double flops, Call call) {}

  public static void main(String[] args) throws Throwable {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    MatmulBench h = new MatmulBench();
    h.setup();
    GeneratedKernelBench gv = new GeneratedKernelBench();
    gv.backend = "vector";
    gv.setup();
    GeneratedKernelBench gs = new GeneratedKernelBench();
    gs.backend = "scalar";
    gs.setup();
    double big = MatmulBench.BIG;
    double small = MatmulBench.SMALL;
    List<Kernel> ks = new ArrayList<>();
    ks.add(new Kernel("probe (MatmulProbe.vec, 64x784 @ 784x256)", big, h::probe));
    ks.add(new Kernel("fwd1 relu(x W1 + b1)   hand vector", big, h::fwd1Vector));
    ks.add(new Kernel("fwd1 relu(x W1 + b1)   generated vector", big, () -> gv.fwd1()));
    ks.add(new Kernel("fwd1 relu(x W1 + b1)   generated scalar", big, () -> gs.fwd1()));
    ks.add(new Kernel("fwd1 relu(x W1 + b1)   hand scalar i-k-j", big, h::fwd1Scalar));
    ks.add(new Kernel("gW1 = xT dH            hand vector", big, h::gradW1Vector));
    ks.add(new Kernel("gW1 = xT dH            generated vector", big, () -> gv.gradW1()));
    ks.add(new Kernel("gW1 = xT dH            generated scalar", big, () -> gs.gradW1()));
    ks.add(new Kernel("fwd2 h W2 + b2 (n=10)  hand masked", small, h::fwd2Masked));
    ks.add(new Kernel("fwd2 h W2 + b2 (n=10)  hand dot form", small, h::fwd2Dot));
    ks.add(new Kernel("fwd2 h W2 + b2 (n=10)  generated vector", small, () -> gv.fwd2()));
    ks.add(new Kernel("fwd2 h W2 + b2 (n=10)  generated scalar", small, () -> gs.fwd2()));
    ks.add(new Kernel("dH = dL W2T (k=10)     hand packed", small, h::bwdInPacked));
    ks.add(new Kernel("dH = dL W2T (k=10)     hand dot form", small, h::bwdInDot));
    ks.add(new Kernel("dH = dL W2T (k=10)     generated vector", small, () -> gv.bwdIn()));
    ks.add(new Kernel("dH = dL W2T (k=10)     generated scalar", small, () -> gs.bwdIn()));
    ks.add(new Kernel("gW2 = hT dL (n=10)     hand masked", small, h::gradW2Masked));
    ks.add(new Kernel("gW2 = hT dL (n=10)     generated vector", small, () -> gv.gradW2()));
    ks.add(new Kernel("gW2 = hT dL (n=10)     generated scalar", small, () -> gs.gradW2()));

    Map<String, Double> best = new LinkedHashMap<>();
    // warm-up: enough calls for C2 to compile every kernel method whole (Vector API code is slow
    // until then). A time budget alone is not enough: a kernel that runs interpreted or with only
    // its loops compiled on-stack boxes its vectors and may reach only a few hundred calls in 3 s
    // on a loaded machine, so its first rounds measured the boxing (the n = 10 kernels at 256
    // bits: 10 GFLOP/s, 33 once compiled whole)
    for (Kernel k : ks) {
      long until = System.nanoTime() + 3_000_000_000L;
      for (int c = 0; c < 3000 || System.nanoTime() < until; c++) {
        k.call().run();
      }
    }
    for (int round = 0; round < rounds; round++) {
      for (Kernel k : ks) {
        int calls = Math.max(1, (int) (2e8 / k.flops())); // ~2 ms of work at 100 GFLOP/s
        long t0 = System.nanoTime();
        for (int c = 0; c < calls; c++) {
          k.call().run();
        }
        long t = System.nanoTime() - t0;
        double gflops = k.flops() * calls / t;
        best.merge(k.name(), gflops, Math::max);
      }
    }
    double probe = best.values().iterator().next();
    System.out.printf(
        Locale.ROOT, "%-48s %9s %9s%n", "kernel (batch 64, f32)", "GFLOP/s", "of probe");
    for (Map.Entry<String, Double> e : best.entrySet()) {
      System.out.printf(
          Locale.ROOT,
          "%-48s %9.1f %8.0f%%%n",
          e.getKey(),
          e.getValue(),
          100 * e.getValue() / probe);
    }
  }
}
