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
    java.util.Map<String, double[]> constants) {

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
