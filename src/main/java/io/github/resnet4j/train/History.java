package io.github.resnet4j.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.ToDoubleFunction;

/** The per-epoch measurements of a training run, with JSON and SVG-chart export. */
public final class History {
  private final List<EpochStats> epochs = new ArrayList<>();

  /** Creates an empty history. */
  public History() {}

  void add(EpochStats s) {
    epochs.add(s);
  }

  void replaceWith(History other) {
    epochs.clear();
    epochs.addAll(other.epochs);
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
      StringJoiner fields = new StringJoiner(", ", "  {", "}" + (i + 1 < epochs.size() ? "," : "") + "\n");
      for (Field f : FIELDS) {
        double v = f.value().applyAsDouble(s);
        fields.add("\"" + f.name() + "\": " + (f == FIELDS.get(0) ? Integer.toString((int) v) : num(v)));
      }
      sb.append(fields);
    }
    return sb.append("]\n").toString();
  }

  private static String num(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  /** Metadata key prefix under which a checkpoint carries the history, one key per field. */
  static final String METADATA_PREFIX = "history.";

  /** One column of the history: its name in the JSON and the metadata, and where its value comes from. */
  private record Field(String name, ToDoubleFunction<EpochStats> value) {}

  /** In {@link EpochStats}' component order, the epoch first; both export formats follow it. */
  private static final List<Field> FIELDS = List.of(new Field("epoch", EpochStats::epoch),
      new Field("loss", EpochStats::loss), new Field("accuracy", EpochStats::accuracy),
      new Field("val_loss", EpochStats::valLoss), new Field("val_accuracy", EpochStats::valAccuracy),
      new Field("lr", EpochStats::lr), new Field("seconds", EpochStats::seconds),
      new Field("images_per_second", EpochStats::imagesPerSecond));

  /**
   * The history as checkpoint metadata: for each field a key {@code history.FIELD} whose value lists the
   * epochs' values, comma-separated, each in the shortest form that reads back to the same double.
   */
  Map<String, String> toMetadata() {
    Map<String, String> meta = new LinkedHashMap<>();
    for (Field f : FIELDS) {
      StringJoiner values = new StringJoiner(",");
      for (EpochStats s : epochs) {
        values.add(Double.toString(f.value().applyAsDouble(s)));
      }
      meta.put(METADATA_PREFIX + f.name(), values.toString());
    }
    return meta;
  }

  /**
   * Reads back {@link #toMetadata()}; metadata without any {@code history.} key (checkpoints written before
   * the history was saved) gives an empty history.
   *
   * @throws IllegalArgumentException naming the key if a field is missing, not a number, or of another length
   */
  static History fromMetadata(Map<String, String> meta) {
    History h = new History();
    if (FIELDS.stream().noneMatch(f -> meta.containsKey(METADATA_PREFIX + f.name()))) {
      return h;
    }
    double[][] columns = new double[FIELDS.size()][];
    for (int f = 0; f < FIELDS.size(); f++) {
      String key = METADATA_PREFIX + FIELDS.get(f).name();
      String text = meta.get(key);
      if (text == null) {
        throw new IllegalArgumentException("metadata " + key + " is missing");
      }
      String[] parts = text.isEmpty() ? new String[0] : text.split(",", -1);
      columns[f] = new double[parts.length];
      for (int e = 0; e < parts.length; e++) {
        try {
          columns[f][e] = Double.parseDouble(parts[e]);
        } catch (NumberFormatException ex) {
          throw new IllegalArgumentException("metadata " + key + ": value " + (e + 1) + " '" + parts[e]
              + "' is not a number", ex);
        }
      }
      if (columns[f].length != columns[0].length) {
        throw new IllegalArgumentException("metadata " + key + " has " + columns[f].length + " values but "
            + METADATA_PREFIX + FIELDS.get(0).name() + " has " + columns[0].length);
      }
    }
    for (int e = 0; e < columns[0].length; e++) {
      h.add(new EpochStats((int) columns[0][e], columns[1][e], columns[2][e], columns[3][e], columns[4][e],
          columns[5][e], columns[6][e], columns[7][e]));
    }
    return h;
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
