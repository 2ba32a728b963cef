package org.gradc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildStateTest {
  @TempDir Path dir;

  private static BuildState.Entry entry(String source, String dep, String depHash, String out) {
    TreeMap<String, String> deps = new TreeMap<>();
    if (dep != null) {
      deps.put(dep, depHash);
    }
    TreeMap<String, String> outs = new TreeMap<>();
    outs.put("org/x/M.class", out);
    return new BuildState.Entry(source, "precision=f32;package=org.x", deps, outs);
  }

  @Test
  void roundTripsThroughItsFile() throws IOException {
    BuildState s = BuildState.empty("c1");
    s.put("org/x/M.grad", entry("h1", "/abs/dep.grad", "h2", "h3"));
    s.put("A.grad", entry("h4", null, null, "h5"));
    Path file = dir.resolve("gradc/compile-default.state");
    assertTrue(s.save(file));
    BuildState back = BuildState.load(file, "c1");
    assertEquals(s.render(), back.render());
    assertEquals(List.of("A.grad", "org/x/M.grad"), back.models());
    assertEquals("h2", back.get("org/x/M.grad").dependencies().get("/abs/dep.grad"));
  }

  @Test
  void savingTheSameStateAgainLeavesTheFileAlone() throws IOException {
    BuildState s = BuildState.empty("c1");
    s.put("A.grad", entry("h4", null, null, "h5"));
    Path file = dir.resolve("s.state");
    s.save(file);
    FileTime old = FileTime.fromMillis(1_000_000L);
    Files.setLastModifiedTime(file, old);
    assertFalse(BuildState.load(file, "c1").save(file));
    assertEquals(old, Files.getLastModifiedTime(file));
  }

  @Test
  void anotherCompilerOrACorruptFileMeansAnEmptyState() throws IOException {
    BuildState s = BuildState.empty("c1");
    s.put("A.grad", entry("h4", null, null, "h5"));
    Path file = dir.resolve("s.state");
    s.save(file);
    assertTrue(BuildState.load(file, "c2").models().isEmpty());
    assertEquals("c2", BuildState.load(file, "c2").compiler());
    Files.writeString(file, "garbage\tline\n");
    assertTrue(BuildState.load(file, "c1").models().isEmpty());
    Files.writeString(file, "compiler\tc1\nout\tX.class\th\n");
    assertTrue(BuildState.load(file, "c1").models().isEmpty());
    assertNull(BuildState.load(dir.resolve("missing"), "c1").get("A.grad"));
  }

  @Test
  void entryIsStaleWhenSourceOptionsDependencyOrOutputChange() throws IOException {
    Path out = dir.resolve("classes");
    Files.createDirectories(out.resolve("org/x"));
    Files.write(out.resolve("org/x/M.class"), new byte[] {1, 2, 3});
    Path dep = dir.resolve("dep.grad");
    Files.writeString(dep, "dep");
    BuildState.Entry e =
        entry("src", dep.toString(), Hashes.of(dep), Hashes.of(new byte[] {1, 2, 3}));
    String opts = "precision=f32;package=org.x";
    assertTrue(e.upToDate("src", opts, out));
    assertFalse(e.upToDate("src2", opts, out));
    assertFalse(e.upToDate("src", "precision=f64;package=org.x", out));

    Files.writeString(dep, "dep changed");
    assertFalse(e.upToDate("src", opts, out));
    Files.writeString(dep, "dep");
    assertTrue(e.upToDate("src", opts, out));

    Files.write(out.resolve("org/x/M.class"), new byte[] {9});
    assertFalse(e.upToDate("src", opts, out));
    Files.delete(out.resolve("org/x/M.class"));
    assertFalse(e.upToDate("src", opts, out));
  }
}
