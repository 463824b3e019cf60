package io.github.resnet4j.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The per-epoch measurements of a training run, with JSON and SVG-chart export. */
public final class History {
  private final List<EpochStats> epochs = new ArrayList<>();

  /** Creates an empty history. */
  public History() {}

  void add(EpochStats s) {
    epochs.add(s);
  }

  /**
   * The epochs so far.
   *
   * @return an unmodifiable list
   */
  public List<EpochStats> epochs() {
    return Collections.unmodifiableList(epochs);
  }

  /**
   * The last epoch.
   *
   * @return its stats
   * @throws IllegalStateException if no epoch ran
   */
  public EpochStats last() {
    if (epochs.isEmpty()) {
      throw new IllegalStateException("History: no epoch has run");
    }
    return epochs.get(epochs.size() - 1);
  }

  /**
   * The history as a JSON array of objects, one per epoch (NaN written as null).
   *
   * @return the JSON text
   */
  public String toJson() {
    StringBuilder sb = new StringBuilder("[\n");
    for (int i = 0; i < epochs.size(); i++) {
      EpochStats s = epochs.get(i);
      sb.append(String.format(Locale.ROOT,
          "  {\"epoch\": %d, \"loss\": %s, \"accuracy\": %s, \"val_loss\": %s, \"val_accuracy\": %s, \"lr\": %s,"
              + " \"seconds\": %s, \"images_per_second\": %s}%s%n",
          s.epoch(), num(s.loss()), num(s.accuracy()), num(s.valLoss()), num(s.valAccuracy()), num(s.lr()),
          num(s.seconds()), num(s.imagesPerSecond()), i + 1 < epochs.size() ? "," : ""));
    }
    return sb.append("]\n").toString();
  }

  private static String num(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  /**
   * Writes {@link #toJson()} to a file (atomically).
   *
   * @param file the target
   * @throws IOException if writing fails
   */
  public void writeJson(Path file) throws IOException {
    writeAtomically(file, toJson());
  }

  /**
   * Writes the training curves (loss and accuracy per epoch, training and validation) as an SVG chart.
   *
   * @param file the target, e.g. {@code curves.svg}
   * @throws IOException if writing fails
   */
  public void writeChart(Path file) throws IOException {
    writeAtomically(file, TrainingChart.svg(this));
  }

  static void writeAtomically(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
