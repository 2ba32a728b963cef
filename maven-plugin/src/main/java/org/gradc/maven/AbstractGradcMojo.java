package org.gradc.maven;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.plugins.annotations.Parameter;
import org.gradc.compiler.codegen.Precision;

/**
 * What the {@code compile} and {@code testCompile} goals share: every parameter but the two
 * folders, and the run itself. A goal differs from the other only in its default folders.
 */
abstract class AbstractGradcMojo extends AbstractMojo {

  /**
   * Ant-style patterns of the model files to compile, relative to the source folder. Default:
   * {@code **}{@code /*.grad}.
   */
  @Parameter List<String> includes = new ArrayList<>();

  /** Ant-style patterns of files to leave out, relative to the source folder. */
  @Parameter List<String> excludes = new ArrayList<>();

  /**
   * The Java package of every generated class. When not set, each model's package is its folder
   * under the source folder: {@code src/main/grad/org/example/Xor.grad} becomes {@code
   * org.example.Xor}.
   */
  @Parameter(property = "gradc.packageName")
  String packageName;

  /** The floating-point type of the generated code: {@code f32} or {@code f64}. */
  @Parameter(property = "gradc.precision", defaultValue = "f32")
  String precision;

  /**
   * Which code the kernels are generated as: {@code scalar} (plain loops that C2 vectorizes; the
   * classes run on any JVM 17+) or {@code vector} (scalar kernels plus Vector API kernels for 128-,
   * 256- and 512-bit vectors, each blocked for its register file, in nestmate classes {@code
   * Model$Kernels128} and so on; the model class runs the set the JVM that loads it prefers, so a
   * jar built on an AVX-512 machine is fast on an AVX2 one and the reverse. The application runs
   * with {@code --add-modules jdk.incubator.vector} to get the vector kernels, and the scalar ones
   * without it; Maven itself needs no module).
   */
  @Parameter(property = "gradc.backend", defaultValue = "scalar")
  String backend;

  /**
   * Emits inference-only classes: the evaluation entry points ({@code forward}, {@code evaluate})
   * alone, without gradient buffers, optimizer state or training code; they load the parameters and
   * states of a training checkpoint. Set it in a second execution to get both classes (with another
   * {@code packageName}).
   */
  @Parameter(property = "gradc.inference", defaultValue = "false")
  boolean inference;

  /** Skips the goal: no model is compiled and nothing is written. */
  @Parameter(property = "gradc.skip", defaultValue = "false")
  boolean skip;

  /**
   * Also generates, for every model class, a typed wrapper ({@code XorApi} for {@code Xor}) under
   * the goal's generated-sources folder and adds that folder to the compile source roots.
   */
  @Parameter(property = "gradc.typedApi", defaultValue = "true")
  boolean typedApi;

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  org.apache.maven.project.MavenProject project;

  /** Where the incremental build state is kept. */
  @Parameter(defaultValue = "${project.build.directory}/gradc", readonly = true, required = true)
  File stateDirectory;

  @Parameter(defaultValue = "${mojoExecution}", readonly = true, required = true)
  MojoExecution mojoExecution;

  /** The folder holding the model files. */
  abstract File sourceDirectory();

  /** The folder the class files are written to. */
  abstract File outputDirectory();

  /** The folder the typed wrappers are written to. */
  abstract File generatedSourcesDirectory();

  /** Makes {@code folder} a source root of the compilation this goal feeds. */
  abstract void addSourceRoot(org.apache.maven.project.MavenProject project, String folder);

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("gradc: skipped (gradc.skip)");
      return;
    }
    Precision p;
    SourceScanner scanner;
    GradcSourceCompiler compiler;
    try {
      p = Precision.parse(precision);
      scanner = new SourceScanner(includes, excludes, packageName);
      compiler = new GradcSourceCompiler(backend, inference);
    } catch (IllegalArgumentException e) {
      throw new MojoExecutionException("gradc: " + e.getMessage(), e);
    }
    Path stateFile =
        stateDirectory
            .toPath()
            .resolve(mojoExecution.getGoal() + "-" + mojoExecution.getExecutionId() + ".state");
    GradcBuild build =
        new GradcBuild(
            compiler,
            scanner,
            sourceDirectory().toPath(),
            outputDirectory().toPath(),
            stateFile,
            p,
            new MavenBuildLog(getLog()));
    GradcBuild.Result result;
    try {
      result = build.run();
    } catch (IOException e) {
      throw new MojoExecutionException("gradc: " + e.getMessage(), e);
    } catch (java.io.UncheckedIOException e) {
      throw new MojoExecutionException("gradc: " + e.getMessage(), e.getCause());
    }
    if (result.failed()) {
      throw new MojoFailureException(
          "gradc: "
              + GradcBuild.plural(result.errors(), "error")
              + " in "
              + GradcBuild.plural(result.failedFiles(), "model file")
              + " (see above)");
    }
    if (typedApi) {
      generateTypedApi(stateFile, compiler.fingerprint());
    }
  }

  private void generateTypedApi(Path stateFile, String fingerprint) throws MojoExecutionException {
    Path root = generatedSourcesDirectory().toPath();
    try {
      TypedApiSources.Result r =
          TypedApiSources.update(
              BuildState.load(stateFile, fingerprint),
              outputDirectory().toPath(),
              root,
              stateFile.resolveSibling(
                  stateFile.getFileName().toString().replace(".state", ".typed-api")),
              new MavenBuildLog(getLog()));
      if (r.written() > 0 || r.deleted() > 0) {
        getLog()
            .info(
                "gradc: typed API of "
                    + GradcBuild.plural(r.wrappers(), "model")
                    + " in "
                    + root
                    + " ("
                    + r.written()
                    + " written, "
                    + r.deleted()
                    + " deleted)");
      }
    } catch (IOException | RuntimeException e) {
      throw new MojoExecutionException(
          "gradc: cannot generate the typed API: " + e.getMessage(), e);
    }
    if (project != null) {
      addSourceRoot(project, root.toString());
    }
  }

  /** Maven's log seen as a {@link BuildLog}. */
  private record MavenBuildLog(Log log) implements BuildLog {
    @Override
    public void info(String line) {
      log.info(line);
    }

    @Override
    public void warn(String line) {
      log.warn(line);
    }

    @Override
    public void error(String line) {
      log.error(line);
    }

    @Override
    public void debug(String line) {
      log.debug(line);
    }
  }
}
