package org.gradc.compiler.codegen;

import java.util.List;
import java.util.Map;

/**
 * What the {@link Scheduler} decided for a model, immutable: the buffer fields, the kernel methods
 * (what each computes, before any back end has seen it) and the kernels each entry point calls.
 *
 * @param lossField the one-element buffer the loss is left in; {@code null} without a loss
 * @param constants values of the constant buffers, by field, for the constructor
 */
record Schedule(
    List<ClassPlan.Field> fields,
    List<Method> methods,
    List<Entry> entries,
    String lossField,
    Map<String, double[]> constants) {

  Schedule {
    fields = List.copyOf(fields);
    methods = List.copyOf(methods);
    entries = List.copyOf(entries);
    constants = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(constants));
  }

  /** One kernel method {@code private void name(int n)}. */
  record Method(String name, Kernel kernel) {}

  /** An entry point and the kernel methods it calls, in order. */
  record Entry(EntryPoint point, List<String> kernels) {
    Entry {
      kernels = List.copyOf(kernels);
    }
  }
}
