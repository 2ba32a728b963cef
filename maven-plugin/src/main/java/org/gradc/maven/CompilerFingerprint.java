package org.gradc.maven;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Identifies the compiler that produced a set of classes by the content of the jars (or class
 * folders) it is loaded from, not by its version string: a SNAPSHOT compiler changes without
 * changing its version, and every change must recompile every model.
 */
final class CompilerFingerprint {
  /** Hashes by location, size and time, so parallel module builds hash each jar once. */
  private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

  private CompilerFingerprint() {}

  /** The fingerprint of the code the given classes were loaded from. */
  static String of(List<Class<?>> anchors) {
    MessageDigest all = Hashes.sha256();
    for (Class<?> anchor : anchors) {
      Path where = location(anchor);
      String part = where == null ? anchor.getName() : hashLocation(where);
      all.update(part.getBytes(StandardCharsets.UTF_8));
    }
    return java.util.HexFormat.of().formatHex(all.digest());
  }

  private static Path location(Class<?> anchor) {
    CodeSource source = anchor.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return null;
    }
    try {
      return Path.of(source.getLocation().toURI());
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null;
    }
  }

  static String hashLocation(Path where) {
    try {
      String key =
          where
              + "|"
              + Files.size(where)
              + "|"
              + Files.getLastModifiedTime(where).toMillis()
              + "|"
              + Files.isDirectory(where);
      if (Files.isDirectory(where)) {
        // A class folder (reactor build without a jar): its time stamp says little, hash it all.
        return hashFolder(where);
      }
      return CACHE.computeIfAbsent(key, k -> hashFile(where));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the compiler at " + where, e);
    }
  }

  private static String hashFile(Path file) {
    try {
      return Hashes.of(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the compiler at " + file, e);
    }
  }

  private static String hashFolder(Path root) throws IOException {
    MessageDigest digest = Hashes.sha256();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
        digest.update(SourceScanner.relative(root, f).getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(Files.readAllBytes(f));
      }
    }
    return java.util.HexFormat.of().formatHex(digest.digest());
  }
}
