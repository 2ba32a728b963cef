package org.gradc.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 content hashes, as lowercase hex: what the incremental state compares. */
final class Hashes {
  private Hashes() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  static String of(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  static String of(Path file) throws IOException {
    return of(Files.readAllBytes(file));
  }

  /** The hash of {@code file}, or {@code null} if it cannot be read (missing, a folder, ...). */
  static String ofOrNull(Path file) {
    try {
      return Files.isRegularFile(file) ? of(file) : null;
    } catch (IOException e) {
      return null;
    }
  }
}
