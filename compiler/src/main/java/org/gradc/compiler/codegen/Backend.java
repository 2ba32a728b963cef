package org.gradc.compiler.codegen;

/**
 * Turns a scheduled {@link Kernel} into code. The scheduler never looks inside; a second back end
 * (the Vector API one) implements this interface and takes the kernels it is good at.
 */
interface Backend {

  /** The code of one kernel method, shaped by {@code policy}. */
  KernelCode lower(Kernel kernel, UnrollPolicy policy);
}
