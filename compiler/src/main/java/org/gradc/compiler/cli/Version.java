package org.gradc.compiler.cli;

import picocli.CommandLine;

/** The version printed by {@code gradc --version}: the compiler's Maven version. */
final class Version implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"gradc " + current()};
  }

  /** The compiler version, from the jar manifest; "dev" when run from classes. */
  static String current() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
