package org.gradc.compiler.codegen;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One generated model class, with the nestmate classes holding its kernels for other vector widths
 * when it was compiled {@linkplain BackendKind#PORTABLE portable}.
 *
 * @param binaryName {@code org.example.FashionMlp}
 * @param bytes the class file
 * @param kernels pseudo-Java of every kernel method, by method name, for {@code gradc dump}
 * @param nestmates the variant classes' files by binary name ({@code
 *     org.example.FashionMlp$Kernels256}); empty unless portable
 */
public record GeneratedClass(
    String binaryName, byte[] bytes, Map<String, String> kernels, Map<String, byte[]> nestmates) {
  public GeneratedClass {
    bytes = bytes.clone();
    kernels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(kernels));
    Map<String, byte[]> n = new LinkedHashMap<>();
    nestmates.forEach((k, v) -> n.put(k, v.clone()));
    nestmates = java.util.Collections.unmodifiableMap(n);
  }

  /** A class without nestmates. */
  public GeneratedClass(String binaryName, byte[] bytes, Map<String, String> kernels) {
    this(binaryName, bytes, kernels, Map.of());
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public Map<String, byte[]> nestmates() {
    Map<String, byte[]> n = new LinkedHashMap<>();
    nestmates.forEach((k, v) -> n.put(k, v.clone()));
    return n;
  }

  /** Every class file to write: this class's, then its nestmates', by binary name. */
  public Map<String, byte[]> classFiles() {
    Map<String, byte[]> all = new LinkedHashMap<>();
    all.put(binaryName, bytes());
    all.putAll(nestmates());
    return all;
  }

  /** {@code org/example/FashionMlp.class}: where the class file goes under an output directory. */
  public String classFilePath() {
    return classFilePath(binaryName);
  }

  /** Where the class file of {@code binaryName} goes under an output directory. */
  public static String classFilePath(String binaryName) {
    return binaryName.replace('.', '/') + ".class";
  }
}
