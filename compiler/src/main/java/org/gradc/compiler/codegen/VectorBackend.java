package org.gradc.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import org.gradc.compiler.codegen.vector.VectorModule;

/**
 * The Vector API back end: matmuls become register-blocked micro-kernels (accumulators held in
 * vector registers across the whole k loop, block sizes chosen from the static shapes) and wide
 * pointwise loops become a vector body over the contiguous axis plus a scalar tail; a reduction
 * over a row becomes lane accumulators reduced across lanes at its end, and a reduction over rows
 * (a column sum) a vectorized pass accumulating into the output ({@link
 * Kernel.Reduction#inMemory}). Everything else (narrow or irregular loops) is lowered by the {@link
 * ScalarBackend}, into the same method. The code is written by {@link VectorEmitter}; see {@link
 * VectorCode} for what it looks like.
 *
 * <p>Generated classes then reference {@code jdk.incubator.vector}, so this back end is only chosen
 * when the JVM compiling (and loading) the model has that module: {@link #forThisJvm()}.
 */
final class VectorBackend implements Backend {
  /** Forces a back end: {@code -Dgradc.backend=scalar} or {@code vector}. */
  static final String PROPERTY = "gradc.backend";

  private final ScalarBackend scalar = new ScalarBackend();
  private final int floatLanes;
  private final int doubleLanes;

  /**
   * @param floatLanes lanes of a {@code float} vector (16 for 512-bit vectors)
   * @param doubleLanes lanes of a {@code double} vector
   */
  VectorBackend(int floatLanes, int doubleLanes) {
    this.floatLanes = floatLanes;
    this.doubleLanes = doubleLanes;
  }

  /**
   * The vector back end sized for this machine when the JVM has {@code jdk.incubator.vector}; else
   * the scalar back end, after printing once how to enable the vector one. {@code
   * -Dgradc.backend=scalar} forces the scalar one.
   */
  static Backend forThisJvm() {
    if ("scalar".equals(System.getProperty(PROPERTY))) {
      return new ScalarBackend();
    }
    return VectorModule.lanes(false)
        .<Backend>map(l -> new VectorBackend(l, Math.max(2, l / 2)))
        .orElseGet(ScalarBackend::new);
  }

  int lanes(Precision p) {
    return p == Precision.F32 ? floatLanes : doubleLanes;
  }

  @Override
  public KernelCode lower(Kernel kernel, UnrollPolicy policy) {
    List<VectorCode.Part> parts = new ArrayList<>();
    collect(kernel, policy, parts);
    boolean anyVector = false;
    for (VectorCode.Part p : parts) {
      anyVector |= !(p instanceof VectorCode.ScalarPart);
    }
    if (!anyVector) {
      return scalar.lower(kernel, policy);
    }
    return new VectorCode(parts, this, policy);
  }

  private void collect(Kernel kernel, UnrollPolicy policy, List<VectorCode.Part> out) {
    kernel.match(
        new Kernel.Cases<Void>() {
          @Override
          public Void pointwise(Kernel.Pointwise p) {
            out.add(VectorEmitter.vectorizable(p) ? new VectorCode.PointwisePart(p) : scalar(p));
            return null;
          }

          @Override
          public Void reduction(Kernel.Reduction r) {
            if (!r.reducesSuffix()) {
              // a column reduction: its accumulating pass is vectorized along the kept last axis
              collect(r.inMemory(), policy, out);
            } else {
              out.add(VectorEmitter.vectorizable(r) ? new VectorCode.ReductionPart(r) : scalar(r));
            }
            return null;
          }

          @Override
          public Void matmul(Kernel.Matmul m) {
            out.add(tiny(m) ? scalar(m) : new VectorCode.MatmulPart(m));
            return null;
          }

          @Override
          public Void sequence(Kernel.Sequence s) {
            for (Kernel part : s.parts()) {
              collect(part, policy, out);
            }
            return null;
          }

          @Override
          public Void loops(Kernel.Loops l) {
            // a convolution pass: register tiles (the lanes, known when emitting, decide how many
            // channels); pooling: C2 vectorizes the contiguous channel loops
            out.add(
                l.tiles() == null
                    ? scalar(l)
                    : new VectorCode.ConvPart(l.tiles(), l.body(), l.note(), policy));
            return null;
          }

          private VectorCode.Part scalar(Kernel k) {
            return new VectorCode.ScalarPart(scalar.lower(k, policy).body());
          }
        });
  }

  /**
   * A product too small for vector registers to pay: output rows narrower than 8, or a static
   * contracted or row extent below 4 (XOR's 2-8-1 layers). Partial vectors and their set-up cost
   * more than the scalar loop, which {@link UnrollPolicy} unrolls fully at these sizes; measured on
   * the XOR training step, the scalar form is about 1.2x faster.
   */
  static boolean tiny(Kernel.Matmul mm) {
    return mm.n() < 8 || small(mm.k()) || small(mm.m());
  }

  private static boolean small(Ix extent) {
    return extent instanceof Ix.Lit lit && lit.value() < 4;
  }
}
