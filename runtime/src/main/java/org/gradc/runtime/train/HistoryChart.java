package org.gradc.runtime.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link History} as a hand-written SVG: one panel for the losses and, when recorded, one
 * for the accuracies; each with axes, "nice" ticks (1-2-5 steps), grid lines, a legend, training
 * curves solid and validation curves dashed.
 */
final class HistoryChart {
  private static final int PANEL_W = 460;
  private static final int PANEL_H = 320;
  private static final int LEFT = 64;
  private static final int RIGHT = 20;
  private static final int TOP = 40;
  private static final int BOTTOM = 48;
  private static final String TRAIN = "#1f77b4";
  private static final String VAL = "#ff7f0e";

  private HistoryChart() {}

  private record Series(String label, double[] values, String color, boolean dashed) {}

  static String render(History h) {
    List<List<Series>> panels = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    for (Metric[] pair :
        new Metric[][] {{Metric.LOSS, Metric.VAL_LOSS}, {Metric.ACCURACY, Metric.VAL_ACCURACY}}) {
      List<Series> s = new ArrayList<>();
      if (h.metrics().contains(pair[0])) {
        s.add(new Series("training", h.values(pair[0]), TRAIN, false));
      }
      if (h.metrics().contains(pair[1])) {
        s.add(new Series("validation", h.values(pair[1]), VAL, true));
      }
      if (!s.isEmpty()) {
        panels.add(s);
        titles.add(pair[0].name());
      }
    }
    int width = Math.max(1, panels.size()) * PANEL_W;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d"
                + " %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
            width,
            PANEL_H,
            width,
            PANEL_H));
    svg.append(
        String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, PANEL_H));
    if (panels.isEmpty()) {
      svg.append("<text x=\"20\" y=\"40\">no epochs recorded</text>\n");
    }
    for (int p = 0; p < panels.size(); p++) {
      panel(svg, p * PANEL_W, titles.get(p), panels.get(p), h.size());
    }
    return svg.append("</svg>\n").toString();
  }

  private static void panel(StringBuilder svg, int x0, String title, List<Series> series, int n) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (double v : s.values()) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (!(lo <= hi)) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-12) {
      double pad = Math.max(Math.abs(hi) * 0.1, 1e-3);
      lo -= pad;
      hi += pad;
    }
    double yStep = niceStep((hi - lo) / 5);
    double yLo = Math.floor(lo / yStep) * yStep;
    double yHi = Math.ceil(hi / yStep) * yStep;
    int xMax = Math.max(2, n);
    double xStep = Math.max(1, niceStep((xMax - 1) / 8.0));
    double plotW = PANEL_W - LEFT - RIGHT;
    double plotH = PANEL_H - TOP - BOTTOM;
    double px0 = x0 + LEFT;
    double py0 = TOP + plotH;
    java.util.function.DoubleUnaryOperator sx = e -> px0 + (e - 1) / (xMax - 1) * plotW;
    java.util.function.DoubleUnaryOperator sy = v -> py0 - (v - yLo) / (yHi - yLo) * plotH;

    svg.append(
        f(
            "<text x=\"%.1f\" y=\"24\" text-anchor=\"middle\" font-size=\"15\""
                + " font-weight=\"bold\">%s</text>\n",
            px0 + plotW / 2, title));
    // grid and y ticks
    int decimals = Math.max(0, (int) -Math.floor(Math.log10(yStep) + 1e-9));
    for (double v = yLo; v <= yHi + yStep / 2; v += yStep) {
      double y = sy.applyAsDouble(v);
      svg.append(
          f(
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n",
              px0, y, px0 + plotW, y));
      svg.append(
          f(
              "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
              px0 - 6, y + 4, String.format(Locale.ROOT, "%." + decimals + "f", v)));
    }
    for (double e = 1; e <= xMax + 1e-9; e += xStep) {
      double x = sx.applyAsDouble(e);
      svg.append(
          f(
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
              x, py0, x, py0 + 5));
      svg.append(
          f(
              "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n",
              x, py0 + 18, (long) e));
    }
    // axes
    svg.append(
        f(
            "<path d=\"M%.1f %.1f V%.1f H%.1f\" fill=\"none\" stroke=\"#333\"/>\n",
            px0, (double) TOP, py0, px0 + plotW));
    svg.append(
        f(
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">epoch</text>\n",
            px0 + plotW / 2, (double) PANEL_H - 10));
    svg.append(
        f(
            "<text transform=\"translate(%.1f %.1f) rotate(-90)\" text-anchor=\"middle\">%s</text>\n",
            x0 + 16.0, TOP + plotH / 2, title));
    // curves
    for (Series s : series) {
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < s.values().length; i++) {
        double v = s.values()[i];
        if (Double.isFinite(v)) {
          pts.append(f("%.1f,%.1f ", sx.applyAsDouble(i + 1), sy.applyAsDouble(v)));
        }
      }
      svg.append(
          f(
              "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
              pts.toString().trim(), s.color(), s.dashed() ? " stroke-dasharray=\"6 4\"" : ""));
      if (s.values().length <= 60) {
        for (int i = 0; i < s.values().length; i++) {
          if (Double.isFinite(s.values()[i])) {
            svg.append(
                f(
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
                    sx.applyAsDouble(i + 1), sy.applyAsDouble(s.values()[i]), s.color()));
          }
        }
      }
    }
    // legend: top right inside the plot, or bottom right if fewer points lie there
    double lx = px0 + plotW - 110;
    double boxH = 8 + 18 * series.size();
    double top = TOP + 8;
    double bottom = py0 - 8 - boxH;
    double ly =
        covered(series, sx, sy, lx, top, boxH) <= covered(series, sx, sy, lx, bottom, boxH)
            ? top
            : bottom;
    svg.append(
        f(
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"104\" height=\"%d\" fill=\"white\""
                + " stroke=\"#ccc\"/>\n",
            lx - 4, ly - 4, 8 + 18 * series.size()));
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      double y = ly + 9 + 18 * i;
      svg.append(
          f(
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                  + " stroke-width=\"2\"%s/>\n",
              lx, y, lx + 24, y, s.color(), s.dashed() ? " stroke-dasharray=\"6 4\"" : ""));
      svg.append(f("<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", lx + 30, y + 4, s.label()));
    }
  }

  private static int covered(
      List<Series> series,
      java.util.function.DoubleUnaryOperator sx,
      java.util.function.DoubleUnaryOperator sy,
      double x,
      double y,
      double h) {
    int n = 0;
    for (Series s : series) {
      for (int i = 0; i < s.values().length; i++) {
        double px = sx.applyAsDouble(i + 1);
        double py = sy.applyAsDouble(s.values()[i]);
        if (px >= x - 14 && py >= y - 14 && py <= y + h + 10) {
          n++;
        }
      }
    }
    return n;
  }

  /** The 1-2-5 step nearest above {@code raw}. */
  static double niceStep(double raw) {
    if (!(raw > 0)) {
      return 1;
    }
    double pow = Math.pow(10, Math.floor(Math.log10(raw)));
    double frac = raw / pow;
    double nice = frac <= 1 ? 1 : frac <= 2 ? 2 : frac <= 5 ? 5 : 10;
    return nice * pow;
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
