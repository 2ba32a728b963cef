package org.gradc.runtime.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Prints training progress: in {@link Progress#BAR} mode a bar redrawn at most every 100 ms with
 * {@code \r}, in both BAR and LINES mode one line per epoch. The clock is injectable so tests can
 * check the output without timing.
 */
final class ProgressPrinter {
  private static final long REDRAW_NANOS = 100_000_000L;
  private static final int BAR_WIDTH = 24;

  private final Progress mode;
  private final PrintStream out;
  private final LongSupplier clock;
  private long epochStart;
  private long lastDraw;
  private int lastWidth;

  ProgressPrinter(Progress mode, PrintStream out, LongSupplier clock) {
    this.mode =
        mode == Progress.AUTO ? (System.console() != null ? Progress.BAR : Progress.LINES) : mode;
    this.out = out;
    this.clock = clock;
  }

  Progress mode() {
    return mode;
  }

  void epochStart() {
    epochStart = clock.getAsLong();
    lastDraw = Long.MIN_VALUE;
  }

  /** After each batch: redraws the bar when due (or at the epoch's last batch). */
  void batch(int epoch, int epochs, long examples, long total, double runningLoss) {
    if (mode != Progress.BAR) {
      return;
    }
    long now = clock.getAsLong();
    if (examples < total && lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    double seconds = Math.max(1e-9, (now - epochStart) / 1e9);
    double rate = examples / seconds;
    double eta = rate > 0 ? (total - examples) / rate : 0;
    int filled = (int) (BAR_WIDTH * examples / Math.max(1, total));
    StringBuilder bar = new StringBuilder();
    for (int i = 0; i < BAR_WIDTH; i++) {
      bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
    }
    String line =
        String.format(
            Locale.ROOT,
            "epoch %d/%d [%s] %3d%% %d/%d  %s ex/s  ETA %s  loss %.4f",
            epoch,
            epochs,
            bar,
            100 * examples / Math.max(1, total),
            examples,
            total,
            rate(rate),
            clockTime(eta),
            runningLoss);
    draw(line);
  }

  private void draw(String line) {
    int pad = Math.max(0, lastWidth - line.length());
    out.print("\r" + line + " ".repeat(pad));
    out.flush();
    lastWidth = line.length();
  }

  /** The epoch's summary line. */
  void epochEnd(int epoch, int epochs, Metrics metrics, long examples, double seconds) {
    if (mode == Progress.NONE) {
      return;
    }
    String line =
        String.format(
            Locale.ROOT,
            "epoch %d/%d  %s  (%.1f s, %s ex/s)",
            epoch,
            epochs,
            metrics.toString().replaceAll("  seconds [0-9.]+$", ""),
            seconds,
            rate(examples / Math.max(1e-9, seconds)));
    if (mode == Progress.BAR) {
      draw(line);
      out.println();
      lastWidth = 0;
    } else {
      out.println(line);
    }
    out.flush();
  }

  void message(String text) {
    if (mode == Progress.NONE) {
      return;
    }
    if (mode == Progress.BAR && lastWidth > 0) {
      out.println();
      lastWidth = 0;
    }
    out.println(text);
    out.flush();
  }

  static String rate(double r) {
    if (r >= 1e6) {
      return String.format(Locale.ROOT, "%.1fM", r / 1e6);
    }
    if (r >= 1e3) {
      return String.format(Locale.ROOT, "%.1fk", r / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", r);
  }

  static String clockTime(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
