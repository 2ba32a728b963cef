package org.gradc.compiler.codegen;

import java.util.List;
import org.gradc.runtime.ModelSpec;

/**
 * Everything {@link ClassAssembler} needs to write one model class: its name and spec, the buffer
 * fields, the kernel methods, and the kernels each entry point calls, in order.
 *
 * @param internalName {@code org/example/FashionMlp}
 * @param sourceFile the model file's name, recorded as the class's {@code SourceFile}
 * @param entries the entry points and the kernels each calls
 * @param lossField the one-element buffer the loss is left in; {@code null} when there is no loss
 * @param constants values of constant buffers, filled by the constructor
 * @param variants kernel sets for other vector widths, each written as a nestmate class; empty for
 *     a class whose own kernels are the only ones (see {@link BackendKind#PORTABLE})
 * @param shared the shared methods of {@link StepForm#SHARED} and the kernels they stand for, which
 *     {@code kernels} then leaves out
 * @param primed the Vector API vocabulary of the class's own kernels, whose operations its static
 *     initializer runs once ({@link VectorPriming}); null when they make no Vector API call
 */
record ClassPlan(
    String internalName,
    String sourceFile,
    ModelSpec spec,
    Precision precision,
    boolean fma,
    List<Field> fields,
    List<KernelMethod> kernels,
    List<Schedule.Entry> entries,
    String lossField,
    java.util.Map<String, double[]> constants,
    List<Variant> variants,
    SharedKernels shared,
    org.gradc.compiler.codegen.vector.VectorCalls primed) {

  /**
   * One buffer field.
   *
   * @param descriptor {@code [F}, {@code [D} or {@code [I}
   * @param rowSize elements per batch row when {@code batched}, else the total size
   * @param slot the spec slot it backs ({@link org.gradc.runtime.Model#buffer(int)}), or -1
   */
  record Field(String name, String descriptor, boolean batched, int rowSize, int slot) {}

  /** A kernel method {@code private void name(int n)}. */
  record KernelMethod(String name, KernelCode code) {}

  /**
   * A second set of kernels, in a nestmate class the model class dispatches to when the running JVM
   * prefers {@code bits}-bit vectors ({@link ClassAssembler} has the layout).
   *
   * @param internalName the nestmate's internal name ({@code org/example/Mlp$Kernels256})
   * @param kernels the same methods as the plan's own kernels, lowered for {@code bits}-bit
   *     vectors, less those {@code shared} stands for
   * @param shared this width's shared methods ({@link StepForm#SHARED})
   */
  record Variant(int bits, String internalName, List<KernelMethod> kernels, SharedKernels shared) {}

  KernelCode.EmitContext emitContext() {
    java.util.Map<String, String> d = new java.util.LinkedHashMap<>();
    for (Field f : fields) {
      d.put(f.name(), f.descriptor());
    }
    return new KernelCode.EmitContext(internalName, precision, fma, d);
  }

  Field field(String name) {
    for (Field f : fields) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("no buffer field " + name);
  }
}
