package io.github.resnet4j.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The live line a terminal shows during an epoch: batch i/n, loss, accuracy, images/s and ETA, redrawn
 * in place with a carriage return.
 */
final class ProgressBar {
  private static final int WIDTH = 24;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private long lastDraw;

  ProgressBar(PrintStream out) {
    this.out = out;
  }

  void update(int epoch, int epochs, int batch, int batches, double loss, double accuracy, long images) {
    long now = System.nanoTime();
    if (batch < batches && now - lastDraw < 100_000_000L) {
      return; // redraw at most ten times a second
    }
    lastDraw = now;
    double seconds = (now - startNanos) / 1e9;
    double rate = images / Math.max(seconds, 1e-9);
    double eta = batch == 0 ? 0 : seconds * (batches - batch) / batch;
    int filled = batches == 0 ? WIDTH : (int) ((long) WIDTH * batch / batches);
    String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
    out.print(String.format(Locale.ROOT, "\rEpoch %d/%d [%s] %d/%d  loss %.4f  acc %.4f  %.0f img/s  ETA %s   ",
        epoch, epochs, bar, batch, batches, loss, accuracy, rate, clock(eta)));
    out.flush();
  }

  void finish() {
    out.print("\r");
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
