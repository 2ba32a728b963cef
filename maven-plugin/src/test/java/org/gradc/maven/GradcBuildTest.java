package org.gradc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.gradc.compiler.codegen.Precision;
import org.gradc.compiler.diag.CompileException;
import org.gradc.compiler.diag.Diagnostic;
import org.gradc.compiler.diag.SourceFile;
import org.gradc.compiler.diag.SourceSpan;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build's decisions, driven by a stand-in compiler that records what it is asked. */
class GradcBuildTest {
  @TempDir Path dir;
  Path src;
  Path out;
  Path stateFile;
  FakeCompiler compiler;
  RecordingLog log;

  /**
   * "Compiles" a file whose first line is {@code model Name}: the class bytes are its text. A line
   * {@code uses PATH} makes PATH a dependency; a line {@code bad} is an error at its first column.
   */
  static final class FakeCompiler implements SourceCompiler {
    String fingerprint = "compiler-1";
    final List<String> compiled = new ArrayList<>();

    @Override
    public Compiled compile(ModelSource source, Precision precision)
        throws CompileException, IOException {
      compiled.add(source.relativePath());
      String text = Files.readString(source.file());
      SourceFile file = new SourceFile(source.file().toString(), text);
      List<Diagnostic> errors = new ArrayList<>();
      List<Diagnostic> warnings = new ArrayList<>();
      List<Path> deps = new ArrayList<>();
      int offset = 0;
      for (String line : text.split("\n", -1)) {
        if (line.equals("bad")) {
          errors.add(
              Diagnostic.error(
                  "E0001", new SourceSpan(file, offset, offset + 3), "bad line", "remove it"));
        } else if (line.equals("crash")) {
          throw new IllegalStateException("boom");
        } else if (line.equals("warn")) {
          warnings.add(
              Diagnostic.warning("W0001", new SourceSpan(file, offset, offset + 4), "a warning"));
        } else if (line.startsWith("uses ")) {
          deps.add(Path.of(line.substring(5)));
        }
        offset += line.length() + 1;
      }
      if (!errors.isEmpty()) {
        throw new CompileException(errors);
      }
      String name = text.lines().findFirst().orElseThrow().substring("model ".length()).trim();
      String binary = source.packageName().isEmpty() ? name : source.packageName() + "." + name;
      byte[] bytes = (precision.label() + ":" + text).getBytes(StandardCharsets.UTF_8);
      return new Compiled(Map.of(binary, bytes), deps, warnings);
    }

    @Override
    public String fingerprint() {
      return fingerprint;
    }
  }

  static final class RecordingLog implements BuildLog {
    final List<String> errors = new ArrayList<>();
    final List<String> infos = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();

    @Override
    public void info(String line) {
      infos.add(line);
    }

    @Override
    public void warn(String line) {
      warnings.add(line);
    }

    @Override
    public void error(String line) {
      errors.add(line);
    }

    @Override
    public void debug(String line) {}
  }

  @BeforeEach
  void setUp() {
    src = dir.resolve("src/main/grad");
    out = dir.resolve("target/classes");
    stateFile = dir.resolve("target/gradc/compile-default.state");
    compiler = new FakeCompiler();
    log = new RecordingLog();
  }

  private GradcBuild.Result build(Precision precision) throws IOException {
    compiler.compiled.clear();
    return new GradcBuild(
            compiler,
            new SourceScanner(List.of(), List.of(), null),
            src,
            out,
            stateFile,
            precision,
            log)
        .run();
  }

  private GradcBuild.Result build() throws IOException {
    return build(Precision.F32);
  }

  private void write(String rel, String text) throws IOException {
    Path f = src.resolve(rel);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
  }

  /** Every file under target/, with its modification time and content. */
  private Map<String, String> snapshot() throws IOException {
    Map<String, String> files = new HashMap<>();
    try (Stream<Path> all = Files.walk(dir.resolve("target"))) {
      for (Path f : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
        files.put(
            dir.relativize(f).toString(),
            Files.getLastModifiedTime(f).toMillis() + ":" + Hashes.of(f));
      }
    }
    return files;
  }

  /** Sets every time stamp under target/ into the past, so a rewrite would show. */
  private void age() throws IOException {
    try (Stream<Path> all = Files.walk(dir.resolve("target"))) {
      for (Path f : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
        Files.setLastModifiedTime(f, FileTime.fromMillis(1_000_000_000L));
      }
    }
  }

  @Test
  void compilesIntoPackageFoldersThenASecondBuildTouchesNothing() throws IOException {
    write("org/example/Xor.grad", "model Xor\n");
    write("Lin.grad", "model Lin\n");
    GradcBuild.Result first = build();
    assertEquals(2, first.compiled());
    assertTrue(Files.isRegularFile(out.resolve("org/example/Xor.class")));
    assertTrue(Files.isRegularFile(out.resolve("Lin.class")));
    assertTrue(Files.isRegularFile(stateFile));

    age();
    Map<String, String> before = snapshot();
    GradcBuild.Result second = build();
    assertEquals(List.of(), compiler.compiled);
    assertEquals(0, second.compiled());
    assertEquals(2, second.upToDate());
    assertEquals(before, snapshot());
    assertTrue(log.infos.contains("gradc: 2 models up to date"), log.infos.toString());
  }

  @Test
  void onlyTheChangedModelIsRecompiled() throws IOException {
    write("a/A.grad", "model A\n");
    write("b/B.grad", "model B\n");
    build();
    write("b/B.grad", "model B\n// changed\n");
    GradcBuild.Result r = build();
    assertEquals(List.of("b/B.grad"), compiler.compiled);
    assertEquals(1, r.upToDate());
  }

  @Test
  void aChangedDependencyRecompilesItsModel() throws IOException {
    Path dep = dir.resolve("shared.grad");
    Files.writeString(dep, "v1");
    write("A.grad", "model A\nuses " + dep + "\n");
    write("B.grad", "model B\n");
    build();
    Files.writeString(dep, "v2");
    build();
    assertEquals(List.of("A.grad"), compiler.compiled);
  }

  @Test
  void aNewCompilerOrNewOptionsRecompileEverything() throws IOException {
    write("A.grad", "model A\n");
    write("B.grad", "model B\n");
    build();
    compiler.fingerprint = "compiler-2";
    build();
    assertEquals(List.of("A.grad", "B.grad"), compiler.compiled);
    build(Precision.F64);
    assertEquals(List.of("A.grad", "B.grad"), compiler.compiled);
    assertTrue(Files.readString(out.resolve("A.class")).startsWith("f64:"));
  }

  @Test
  void aDeletedOrOverwrittenClassIsWrittenAgain() throws IOException {
    write("A.grad", "model A\n");
    build();
    Files.delete(out.resolve("A.class"));
    build();
    assertEquals(List.of("A.grad"), compiler.compiled);
    assertTrue(Files.isRegularFile(out.resolve("A.class")));
  }

  @Test
  void aDeletedModelTakesItsClassesWithIt() throws IOException {
    write("A.grad", "model A\n");
    write("B.grad", "model B\n");
    build();
    Files.delete(src.resolve("B.grad"));
    GradcBuild.Result r = build();
    assertEquals(1, r.removed());
    assertFalse(Files.exists(out.resolve("B.class")));
    assertTrue(Files.exists(out.resolve("A.class")));
  }

  @Test
  void aRenamedModelRemovesItsOldClass() throws IOException {
    write("A.grad", "model A\n");
    build();
    write("A.grad", "model Renamed\n");
    build();
    assertFalse(Files.exists(out.resolve("A.class")));
    assertTrue(Files.exists(out.resolve("Renamed.class")));
  }

  @Test
  void everyErrorOfEveryFileIsReportedWithSourceLineAndCaret() throws IOException {
    write("A.grad", "model A\nbad\n");
    write("B.grad", "model B\n");
    write("C.grad", "model C\nok\nbad\nbad\n");
    GradcBuild.Result r = build();
    assertTrue(r.failed());
    assertEquals(3, r.errors());
    assertEquals(2, r.failedFiles());
    assertEquals(1, r.compiled());
    String a = src.resolve("A.grad").toString();
    assertEquals(
        List.of(
            a + ":2:1: error[E0001]: bad line", "  |", "2 | bad", "  | ^^^", " = hint: remove it"),
        log.errors.subList(0, 5));
    assertTrue(log.errors.contains(src.resolve("C.grad") + ":4:1: error[E0001]: bad line"));

    // The good model is not compiled again; the broken ones are, until fixed.
    build();
    assertEquals(List.of("A.grad", "C.grad"), compiler.compiled);
  }

  @Test
  void warningsAreLoggedAsWarningsAndDoNotFailTheBuild() throws IOException {
    write("A.grad", "model A\nwarn\n");
    GradcBuild.Result r = build();
    assertFalse(r.failed());
    assertEquals(1, r.compiled());
    assertEquals(src.resolve("A.grad") + ":2:1: warning[W0001]: a warning", log.warnings.get(0));
    assertEquals("2 | warn", log.warnings.get(2));
  }

  @Test
  void aCompilerCrashIsOneErrorAndTheOtherModelsStillCompile() throws IOException {
    write("A.grad", "model A\ncrash\n");
    write("B.grad", "model B\n");
    GradcBuild.Result r = build();
    assertEquals(1, r.errors());
    assertEquals(1, r.compiled());
    assertEquals(
        List.of(
            src.resolve("A.grad")
                + ": error: internal compiler error (java.lang.IllegalStateException: boom);"
                + " please report it with this model"),
        log.errors);
  }

  @Test
  void twoModelsMakingTheSameClassIsAnError() throws IOException {
    write("A.grad", "model Same\n");
    write("B.grad", "model Same\n");
    GradcBuild.Result r = build();
    assertEquals(1, r.errors());
    assertEquals(
        List.of(
            src.resolve("B.grad")
                + ": error: class Same is also produced by A.grad; rename one of the models"),
        log.errors);
  }

  @Test
  void aFolderThatIsNoPackageIsOneErrorAndTheOthersStillCompile() throws IOException {
    write("bad-folder/X.grad", "model X\n");
    write("ok/Y.grad", "model Y\n");
    GradcBuild.Result r = build();
    assertEquals(1, r.errors());
    assertEquals(1, r.compiled());
    assertTrue(log.errors.get(0).contains("folder 'bad-folder' is not a valid Java package name"));
  }

  @Test
  void noSourceFolderIsNoWork() throws IOException {
    GradcBuild.Result r = build();
    assertEquals(0, r.models());
    assertFalse(r.failed());
    assertTrue(log.infos.contains("gradc: no models in " + src), log.infos.toString());
  }
}
