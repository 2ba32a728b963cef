package org.gradc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompilerFingerprintTest {
  @TempDir Path dir;

  @Test
  void aJarIsKnownByItsContentNotItsName() throws IOException {
    Path a = dir.resolve("a/gradc-compiler.jar");
    Path b = dir.resolve("b/gradc-compiler.jar");
    Files.createDirectories(a.getParent());
    Files.createDirectories(b.getParent());
    Files.write(a, new byte[] {1, 2, 3});
    Files.write(b, new byte[] {1, 2, 3});
    assertEquals(CompilerFingerprint.hashLocation(a), CompilerFingerprint.hashLocation(b));
    // Same size, new content and time: a rebuilt SNAPSHOT jar.
    Files.write(b, new byte[] {1, 2, 4});
    Files.setLastModifiedTime(b, FileTime.fromMillis(123_000L));
    assertNotEquals(CompilerFingerprint.hashLocation(a), CompilerFingerprint.hashLocation(b));
  }

  @Test
  void aClassFolderIsHashedWhole() throws IOException {
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes.resolve("org/x"));
    Files.write(classes.resolve("org/x/A.class"), new byte[] {1});
    String before = CompilerFingerprint.hashLocation(classes);
    assertEquals(before, CompilerFingerprint.hashLocation(classes));
    Files.write(classes.resolve("org/x/B.class"), new byte[] {2});
    assertNotEquals(before, CompilerFingerprint.hashLocation(classes));
  }

  @Test
  void theFingerprintOfLoadedClassesIsStable() {
    String f = CompilerFingerprint.of(List.of(GlobPattern.class, Test.class));
    assertEquals(64, f.length());
    assertEquals(f, CompilerFingerprint.of(List.of(GlobPattern.class, Test.class)));
    assertNotEquals(f, CompilerFingerprint.of(List.of(Test.class)));
  }
}
