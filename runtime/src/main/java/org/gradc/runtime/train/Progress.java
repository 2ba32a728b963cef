package org.gradc.runtime.train;

/** How a {@link Trainer} reports progress. */
public enum Progress {
  /** {@link #BAR} when {@code System.console() != null} (a terminal), else {@link #LINES}. */
  AUTO,
  /**
   * A live bar redrawn with carriage returns: examples/s, ETA, running loss; then the epoch line.
   */
  BAR,
  /** One line per epoch (for logs and pipes). */
  LINES,
  /** Nothing. */
  NONE
}
