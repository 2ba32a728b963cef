package org.gradc.maven;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gradc.runtime.Model;
import org.gradc.runtime.ModelSpec;
import org.gradc.runtime.VectorWidth;

/**
 * Keeps a generated-sources folder holding one typed wrapper ({@link TypedApiWriter}) per model
 * class the build produced. The models are those the build state lists; each class file is loaded
 * in a throwaway class loader and instantiated to read its {@link Model#spec()}, the public
 * contract of every generated class, so nothing here depends on how the compiler lays classes out.
 * A file is written only when its content changes (so {@code javac} sees no change when there is
 * none). The wrappers an update wrote are listed in a small record file next to the build state;
 * the next update deletes those of models that are gone, and nothing else, so that several
 * executions (or other plugins) can share the folder.
 */
final class TypedApiSources {
  private TypedApiSources() {}

  /** What one update did. */
  record Result(int wrappers, int written, int deleted) {}

  /**
   * Brings {@code sourceRoot} in line with the models in {@code state}, whose classes are in {@code
   * classes}; {@code record} lists the wrappers the previous update wrote.
   */
  static Result update(BuildState state, Path classes, Path sourceRoot, Path record, BuildLog log)
      throws IOException {
    Set<Path> wanted = new HashSet<>();
    sourceRoot = sourceRoot.toAbsolutePath().normalize();
    int written = 0;
    ClassFolderLoader loader = new ClassFolderLoader(classes);
    {
      for (String model : state.models()) {
        for (String classFile : state.get(model).outputs().keySet()) {
          String binaryName =
              classFile.substring(0, classFile.length() - ".class".length()).replace('/', '.');
          ModelSpec spec = specOf(loader, binaryName);
          if (spec == null) {
            continue;
          }
          String simple = binaryName.substring(binaryName.lastIndexOf('.') + 1);
          Path file =
              sourceRoot.resolve(
                  classFile.substring(0, classFile.length() - (simple + ".class").length())
                      + TypedApiWriter.wrapperName(simple)
                      + ".java");
          wanted.add(file);
          byte[] text =
              TypedApiWriter.source(binaryName, spec, model).getBytes(StandardCharsets.UTF_8);
          if (!Files.isRegularFile(file)
              || !java.util.Arrays.equals(Files.readAllBytes(file), text)) {
            Files.createDirectories(file.getParent());
            BuildState.writeAtomically(file, text);
            log.debug("gradc: wrote " + file);
            written++;
          }
        }
      }
    }
    int deleted = 0;
    List<String> previous = Files.isRegularFile(record) ? Files.readAllLines(record) : List.of();
    for (String line : previous) {
      Path old = Path.of(line);
      if (!line.isBlank() && !wanted.contains(old) && Files.deleteIfExists(old)) {
        log.debug("gradc: deleted " + old);
        deleted++;
      }
    }
    List<String> now = wanted.stream().map(Path::toString).sorted().toList();
    if (!now.equals(previous)) {
      Files.createDirectories(record.toAbsolutePath().getParent());
      BuildState.writeAtomically(
          record, (String.join("\n", now) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return new Result(wanted.size(), written, deleted);
  }

  /** The spec of a generated model class, or {@code null} if the class is not a model. */
  private static ModelSpec specOf(ClassFolderLoader loader, String binaryName) {
    Class<?> c;
    try {
      c = Class.forName(binaryName, false, loader);
    } catch (ClassNotFoundException e) {
      throw new UncheckedIOException(
          new IOException("cannot read the class file of " + binaryName + ": " + e.getMessage()));
    }
    if (!Model.class.isAssignableFrom(c) || Modifier.isAbstract(c.getModifiers())) {
      return null;
    }
    // only the spec is read: a class with vector kernels need not look for the Vector API (and
    // say in the build log that it is not enabled), so it is told to pick its scalar kernels
    String bits = System.getProperty(VectorWidth.PROPERTY);
    System.setProperty(VectorWidth.PROPERTY, "0");
    try {
      return ((Model) c.getConstructor().newInstance()).spec();
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalStateException(
          "cannot instantiate generated class " + binaryName + " to read its spec: " + e, e);
    } finally {
      if (bits == null) {
        System.clearProperty(VectorWidth.PROPERTY);
      } else {
        System.setProperty(VectorWidth.PROPERTY, bits);
      }
    }
  }

  /** Defines classes from a folder of class files (after asking the plugin's own loader). */
  private static final class ClassFolderLoader extends ClassLoader {
    private final Path folder;

    ClassFolderLoader(Path folder) {
      super("gradc-typed-api", Model.class.getClassLoader());
      this.folder = folder;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      Path file = folder.resolve(name.replace('.', '/') + ".class");
      try {
        byte[] bytes = Files.readAllBytes(file);
        return defineClass(name, bytes, 0, bytes.length);
      } catch (IOException e) {
        throw new ClassNotFoundException(name + " (" + file + ")", e);
      }
    }
  }
}
