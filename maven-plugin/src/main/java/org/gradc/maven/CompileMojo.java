package org.gradc.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Compiles the models of {@code src/main/grad} to class files in {@code target/classes}, before
 * {@code javac} runs, so that the application's Java code can use the generated classes.
 */
@Mojo(name = "compile", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public final class CompileMojo extends AbstractGradcMojo {

  /** The folder holding the model files. */
  @Parameter(defaultValue = "${project.basedir}/src/main/grad", required = true)
  File sourceDirectory;

  /** The folder the class files are written to. */
  @Parameter(defaultValue = "${project.build.outputDirectory}", required = true)
  File outputDirectory;

  /** The folder the typed wrappers ({@code XorApi.java}) are written to. */
  @Parameter(defaultValue = "${project.build.directory}/generated-sources/gradc", required = true)
  File generatedSourcesDirectory;

  @Override
  File generatedSourcesDirectory() {
    return generatedSourcesDirectory;
  }

  @Override
  void addSourceRoot(org.apache.maven.project.MavenProject project, String folder) {
    project.addCompileSourceRoot(folder);
  }

  @Override
  File sourceDirectory() {
    return sourceDirectory;
  }

  @Override
  File outputDirectory() {
    return outputDirectory;
  }
}
