package org.gradc.maven;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;

/**
 * Finds the model files under a source root and decides each one's package. Without an explicit
 * package name a file's package is its folder path under the root, as antlr4-maven-plugin does:
 * {@code src/main/grad/org/example/Xor.grad} goes into {@code org.example}.
 */
final class SourceScanner {
  private final List<GlobPattern> includes;
  private final List<GlobPattern> excludes;
  private final String packageName;

  /**
   * @param packageName the package for every file, or {@code null} to take it from the folders
   * @throws IllegalArgumentException if {@code packageName} is not a valid Java package name
   */
  SourceScanner(List<String> includes, List<String> excludes, String packageName) {
    this.includes = GlobPattern.all(includes.isEmpty() ? List.of("**/*.grad") : includes);
    this.excludes = GlobPattern.all(excludes);
    if (packageName != null && !packageName.isBlank() && !isPackageName(packageName.trim())) {
      throw new IllegalArgumentException(
          "packageName '" + packageName + "' is not a valid Java package name");
    }
    this.packageName = packageName == null || packageName.isBlank() ? null : packageName.trim();
  }

  /**
   * The matching files under {@code root}, sorted by relative path so that builds are reproducible.
   * A missing root holds no files.
   */
  List<Path> scan(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<Path> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : (Iterable<Path>) files.sorted()::iterator) {
        if (!Files.isRegularFile(file)) {
          continue;
        }
        String rel = relative(root, file);
        if (GlobPattern.anyMatches(includes, rel) && !GlobPattern.anyMatches(excludes, rel)) {
          found.add(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
    }
    found.sort((a, b) -> relative(root, a).compareTo(relative(root, b)));
    return found;
  }

  /**
   * The model in {@code file}, found under {@code root}, with its package.
   *
   * @throws IllegalArgumentException naming the file whose folder is not a valid package name
   */
  ModelSource source(Path root, Path file) {
    String rel = relative(root, file);
    return new ModelSource(file, rel, packageOf(rel));
  }

  private String packageOf(String relativePath) {
    if (packageName != null) {
      return packageName;
    }
    int slash = relativePath.lastIndexOf('/');
    if (slash < 0) {
      return "";
    }
    String pkg = relativePath.substring(0, slash).replace('/', '.');
    if (!isPackageName(pkg)) {
      throw new IllegalArgumentException(
          relativePath
              + ": folder '"
              + relativePath.substring(0, slash)
              + "' is not a valid Java package name; rename it or set <packageName>");
    }
    return pkg;
  }

  static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace('\\', '/');
  }

  static boolean isPackageName(String name) {
    for (String part : name.split("\\.", -1)) {
      if (!SourceVersion.isIdentifier(part) || SourceVersion.isKeyword(part)) {
        return false;
      }
    }
    return true;
  }
}
