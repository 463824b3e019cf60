package io.github.resnet4j.train;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Draws a history as two SVG panels: loss and accuracy against epoch (no dependency beyond the JDK). */
final class TrainingChart {
  private static final int W = 360;
  private static final int H = 240;
  private static final int PAD = 40;

  private TrainingChart() {}

  static String svg(History h) {
    List<EpochStats> e = h.epochs();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
            + " font-size=\"11\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", 2 * W, H));
    panel(sb, e, 0, "loss", EpochStats::loss, EpochStats::valLoss);
    panel(sb, e, W, "accuracy", EpochStats::accuracy, EpochStats::valAccuracy);
    return sb.append("</svg>\n").toString();
  }

  private static void panel(StringBuilder sb, List<EpochStats> e, int x0, String title,
      ToDoubleFunction<EpochStats> train, ToDoubleFunction<EpochStats> val) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (EpochStats s : e) {
      for (double v : new double[] {train.applyAsDouble(s), val.applyAsDouble(s)}) {
        if (Double.isFinite(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (!(hi > lo)) {
      lo = Double.isFinite(lo) ? lo - 0.5 : 0;
      hi = lo + 1;
    }
    sb.append(String.format(Locale.ROOT, "<g transform=\"translate(%d,0)\">%n", x0));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" text-anchor=\"middle\" font-size=\"13\">%s</text>%n",
        W / 2, title));
    sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
        + " stroke=\"#999\"/>%n", PAD, 24, W - PAD - 10, H - 24 - PAD));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.3f</text>%n", PAD - 4, 32, hi));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.3f</text>%n", PAD - 4,
        H - PAD, lo));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">epoch (1 to %d)</text>%n",
        W / 2, H - 12, e.size()));
    line(sb, e, train, lo, hi, "#1f77b4");
    line(sb, e, val, lo, hi, "#ff7f0e");
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#1f77b4\">train</text>%n", PAD + 6, 38));
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#ff7f0e\">validation</text>%n", PAD + 46, 38));
    sb.append("</g>\n");
  }

  private static void line(StringBuilder sb, List<EpochStats> e, ToDoubleFunction<EpochStats> f, double lo,
      double hi, String color) {
    StringBuilder pts = new StringBuilder();
    int n = e.size();
    for (int i = 0; i < n; i++) {
      double v = f.applyAsDouble(e.get(i));
      if (!Double.isFinite(v)) {
        continue;
      }
      double x = PAD + (n == 1 ? 0.5 : i / (double) (n - 1)) * (W - PAD - 10);
      double y = 24 + (hi - v) / (hi - lo) * (H - 24 - PAD);
      pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    if (pts.length() > 0) {
      sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
          color, pts.toString().trim()));
    }
  }
}
