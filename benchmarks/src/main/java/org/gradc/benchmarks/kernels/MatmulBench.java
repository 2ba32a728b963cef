package org.gradc.benchmarks.kernels;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GFLOP/s of the hand-written MLP matmul kernels ({@link HandKernels}). One "operation" is one
 * floating-point operation of the matmul (2·m·k·n per call; epilogues are not counted), so the
 * score in ops/ns reads directly as GFLOP/s. {@code probe} is the ceiling the others are judged
 * against, measured in the same run.
 *
 * <pre>java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar MatmulBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MatmulBench {
  static final int M = 64;
  static final int BIG = 2 * M * HandKernels.IN * HandKernels.HID; // 25,690,112
  static final int SMALL = 2 * M * HandKernels.HID * HandKernels.OUT; // 327,680

  float[] x;
  float[] w1;
  float[] b1;
  float[] h;
  float[] w2;
  float[] b2;
  float[] logits;
  float[] dLogits;
  float[] dH;
  float[] w2t;
  float[] gW1;
  float[] gW2;

  @Setup
  public void setup() {
    SplittableRandom r = new SplittableRandom(1);
    x = random(r, M * HandKernels.IN);
    w1 = random(r, HandKernels.IN * HandKernels.HID);
    b1 = random(r, HandKernels.HID);
    h = random(r, M * HandKernels.HID);
    w2 = random(r, HandKernels.HID * HandKernels.OUT);
    b2 = random(r, HandKernels.OUT);
    logits = new float[M * HandKernels.OUT];
    dLogits = random(r, M * HandKernels.OUT);
    dH = random(r, M * HandKernels.HID);
    w2t = new float[HandKernels.HID * HandKernels.OUT];
    gW1 = new float[HandKernels.IN * HandKernels.HID];
    gW2 = new float[HandKernels.HID * HandKernels.OUT];
  }

  static float[] random(SplittableRandom r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextDouble() - 0.5);
    }
    return a;
  }

  @Benchmark
  @OperationsPerInvocation(BIG)
  public float[] probe() {
    HandKernels.probe(x, w1, h, M);
    return h;
  }

  @Benchmark
  @OperationsPerInvocation(BIG)
  public float[] fwd1Scalar() {
    HandKernels.fwd1Scalar(x, w1, b1, h, M);
    return h;
  }

  @Benchmark
  @OperationsPerInvocation(BIG)
  public float[] fwd1Vector() {
    HandKernels.fwd1Vector(x, w1, b1, h, M);
    return h;
  }

  @Benchmark
  @OperationsPerInvocation(SMALL)
  public float[] fwd2Scalar() {
    HandKernels.fwd2Scalar(h, w2, b2, logits, M);
    return logits;
  }

  @Benchmark
  @OperationsPerInvocation(SMALL)
  public float[] fwd2Masked() {
    HandKernels.fwd2Masked(h, w2, b2, logits, M);
    return logits;
  }

  @Benchmark
  @OperationsPerInvocation(SMALL)
  public float[] fwd2Split() {
    HandKernels.fwd2Split(h, w2, b2, logits, M);
    return logits;
  }

  @Benchmark
  @OperationsPerInvocation(SMALL)
  public float[] fwd2Dot() {
    HandKernels.fwd2Dot(h, w2, w2t, b2, logits, M);
    return logits;
  }

  @Benchmark
  @OperationsPerInvocation(SMALL)
  public float[] bwdInScalar() {
    HandKernels.bwdInScalar(dLogits, w2, dH, M);
    return dH;
  }

  @Benchmark
  @OperationsPerInvocation(SMALL)
  public float[] bwdInPacked() {
    HandKernels.bwdInPacked(dLogits, w2, w2t, dH, M);
    return dH;
  }

  @Benchmark
  @OperationsPerInvocation(SMALL)
  public float[] bwdInDot() {
    HandKernels.bwdInDot(dLogits, w2, dH, M);
    return dH;
  }

  @Benchmark
  @OperationsPerInvocation(BIG)
  public float[] gradW1Scalar() {
    HandKernels.gradW1Scalar(x, dH, gW1, M);
    return gW1;
  }

  @Benchmark
  @OperationsPerInvocation(BIG)
  public float[] gradW1Vector() {
    HandKernels.gradW1Vector(x, dH, gW1, M);
    return gW1;
  }

  @Benchmark
  @OperationsPerInvocation(SMALL)
  public float[] gradW2Scalar() {
    HandKernels.gradW2Scalar(h, dLogits, gW2, M);
    return gW2;
  }

  @Benchmark
  @OperationsPerInvocation(SMALL)
  public float[] gradW2Masked() {
    HandKernels.gradW2Masked(h, dLogits, gW2, M);
    return gW2;
  }
}
