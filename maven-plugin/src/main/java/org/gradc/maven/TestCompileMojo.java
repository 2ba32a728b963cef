package org.gradc.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Compiles the models of {@code src/test/grad} to class files in {@code target/test-classes},
 * before the tests are compiled, so that test code can use the generated classes.
 */
@Mojo(name = "testCompile", defaultPhase = LifecyclePhase.GENERATE_TEST_SOURCES, threadSafe = true)
public final class TestCompileMojo extends AbstractGradcMojo {

  /** The folder holding the test model files. */
  @Parameter(defaultValue = "${project.basedir}/src/test/grad", required = true)
  File testSourceDirectory;

  /** The folder the test class files are written to. */
  @Parameter(defaultValue = "${project.build.testOutputDirectory}", required = true)
  File testOutputDirectory;

  /** Skips only this goal (tests skipped with {@code -Dmaven.test.skip} skip it too). */
  @Parameter(property = "maven.test.skip", defaultValue = "false")
  boolean testSkip;

  /** The folder the typed wrappers of test models are written to. */
  @Parameter(
      defaultValue = "${project.build.directory}/generated-test-sources/gradc",
      required = true)
  File testGeneratedSourcesDirectory;

  @Override
  File generatedSourcesDirectory() {
    return testGeneratedSourcesDirectory;
  }

  @Override
  void addSourceRoot(org.apache.maven.project.MavenProject project, String folder) {
    project.addTestCompileSourceRoot(folder);
  }

  @Override
  File sourceDirectory() {
    return testSourceDirectory;
  }

  @Override
  File outputDirectory() {
    return testOutputDirectory;
  }

  @Override
  public void execute()
      throws org.apache.maven.plugin.MojoExecutionException,
          org.apache.maven.plugin.MojoFailureException {
    if (testSkip) {
      getLog().info("gradc: test models skipped (maven.test.skip)");
      return;
    }
    super.execute();
  }
}
