package org.gradc.maven;

/** Where the build reports; the mojos adapt Maven's log to it, the tests record it. */
interface BuildLog {
  void info(String line);

  void warn(String line);

  void error(String line);

  void debug(String line);
}
