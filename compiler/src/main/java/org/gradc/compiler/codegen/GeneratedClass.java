package org.gradc.compiler.codegen;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One generated model class.
 *
 * @param binaryName {@code org.example.FashionMlp}
 * @param bytes the class file
 * @param kernels pseudo-Java of every kernel method, by method name, for {@code gradc dump}
 */
public record GeneratedClass(String binaryName, byte[] bytes, Map<String, String> kernels) {
  public GeneratedClass {
    bytes = bytes.clone();
    kernels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(kernels));
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** {@code org/example/FashionMlp.class}: where the class file goes under an output directory. */
  public String classFilePath() {
    return binaryName.replace('.', '/') + ".class";
  }
}
