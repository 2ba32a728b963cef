package org.gradc.maven;

import java.nio.file.Path;

/**
 * One model file found under a source root.
 *
 * @param file the file itself
 * @param relativePath its path under the source root, with {@code /} separators: the key of its
 *     incremental state
 * @param packageName the Java package its class goes into ({@code ""} for the unnamed package)
 */
record ModelSource(Path file, String relativePath, String packageName) {}
