package org.gradc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceScannerTest {
  @TempDir Path root;

  private void touch(String rel) throws IOException {
    Path f = root.resolve(rel);
    Files.createDirectories(f.getParent());
    Files.writeString(f, "model M\n");
  }

  private List<ModelSource> scan(SourceScanner s) {
    return s.scan(root).stream().map(f -> s.source(root, f)).toList();
  }

  @Test
  void packageIsTheFolderPathUnderTheRootAndOrderIsStable() throws IOException {
    touch("org/example/Xor.grad");
    touch("Top.grad");
    touch("org/example/notes.txt");
    touch("org/a/B.grad");
    List<ModelSource> found = scan(new SourceScanner(List.of(), List.of(), null));
    assertEquals(
        List.of("Top.grad", "org/a/B.grad", "org/example/Xor.grad"),
        found.stream().map(ModelSource::relativePath).toList());
    assertEquals(
        List.of("", "org.a", "org.example"), found.stream().map(ModelSource::packageName).toList());
  }

  @Test
  void explicitPackageOverridesFolders() throws IOException {
    touch("org/example/Xor.grad");
    List<ModelSource> found = scan(new SourceScanner(List.of(), List.of(), "com.acme.models"));
    assertEquals("com.acme.models", found.get(0).packageName());
  }

  @Test
  void includesAndExcludes() throws IOException {
    touch("a/One.grad");
    touch("b/Two.grad");
    touch("b/Three.model");
    SourceScanner s = new SourceScanner(List.of("**/*.grad", "**/*.model"), List.of("a/**"), null);
    assertEquals(
        List.of("b/Three.model", "b/Two.grad"),
        scan(s).stream().map(ModelSource::relativePath).toList());
  }

  @Test
  void folderThatIsNoPackageNameIsReportedWithTheFile() throws IOException {
    touch("my-models/Xor.grad");
    SourceScanner s = new SourceScanner(List.of(), List.of(), null);
    Path file = s.scan(root).get(0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.source(root, file));
    assertEquals(
        "my-models/Xor.grad: folder 'my-models' is not a valid Java package name;"
            + " rename it or set <packageName>",
        e.getMessage());
  }

  @Test
  void badExplicitPackageAndMissingRoot() {
    assertThrows(
        IllegalArgumentException.class, () -> new SourceScanner(List.of(), List.of(), "a.class"));
    assertTrue(
        new SourceScanner(List.of(), List.of(), null).scan(root.resolve("missing")).isEmpty());
  }
}
