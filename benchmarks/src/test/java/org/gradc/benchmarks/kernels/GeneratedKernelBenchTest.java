package org.gradc.benchmarks.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The benchmark finds its kernels in the class the real pipeline (optimization passes included)
 * generates, with either back end.
 */
class GeneratedKernelBenchTest {

  @ParameterizedTest
  @ValueSource(strings = {"vector", "scalar"})
  void setUpFindsEveryBenchmarkedKernel(String backend) throws Throwable {
    GeneratedKernelBench b = new GeneratedKernelBench();
    b.backend = backend;
    b.setup();
  }
}
