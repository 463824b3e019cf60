package io.github.resnet4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads CIFAR-10 binary batches ({@code data_batch_1.bin} ... {@code data_batch_5.bin},
 * {@code test_batch.bin}).
 *
 * <p>Each file is a sequence of 3073-byte records: one label byte (0 to 9), then 3072 pixel bytes, the red,
 * green and blue 32x32 planes in turn (so {@code [C, H, W]} order). A file whose length is not a multiple
 * of 3073, or a label of 10 or more, throws a {@link DataFormatException} naming the file and byte offset.
 *
 * <pre>{@code
 * TensorDataset train = Cifar10Reader.read(dir.resolve("data_batch_1.bin"), dir.resolve("data_batch_2.bin"));
 * // images [20000, 3, 32, 32] in [0, 1]
 * }</pre>
 */
public final class Cifar10Reader {
  /** The class names, indexed by label. */
  public static final List<String> CLASSES = List.of(
      "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

  static final int PIXELS = 3 * 32 * 32;
  static final int RECORD = 1 + PIXELS;

  private Cifar10Reader() {}

  /**
   * Reads one or more batch files, in order, into one data set.
   *
   * @param files the files, at least one
   * @return images {@code [N, 3, 32, 32]} scaled to [0, 1] (byte / 255) with their labels
   * @throws DataFormatException if a file is empty, its length is not a multiple of 3073, or a label is
   *     10 or more
   * @throws IOException if a file cannot be read
   */
  public static TensorDataset read(Path... files) throws IOException {
    if (files.length == 0) {
      throw new IllegalArgumentException("Cifar10Reader.read: no files given");
    }
    long records = 0;
    for (Path f : files) {
      long size = Files.size(f);
      checkLength(f.toString(), size);
      records += size / RECORD;
    }
    if (records * PIXELS > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("Cifar10Reader.read: " + records
          + " images are too many for one array");
    }
    float[] pixels = new float[(int) (records * PIXELS)];
    int[] labels = new int[(int) records];
    int n = 0;
    for (Path f : files) {
      byte[] bytes;
      try (InputStream in = Files.newInputStream(f)) {
        bytes = in.readAllBytes();
      }
      checkLength(f.toString(), bytes.length); // the file may have changed since Files.size
      if (n + bytes.length / RECORD > records) {
        throw new DataFormatException(f.toString(), (records - n) * RECORD, false,
            "the file grew while reading");
      }
      for (int at = 0; at < bytes.length; at += RECORD, n++) {
        int label = bytes[at] & 0xFF;
        if (label >= CLASSES.size()) {
          throw new DataFormatException(f.toString(), at, false, "label " + label + " of record "
              + (at / RECORD) + " is not a CIFAR-10 class (0 to 9)");
        }
        labels[n] = label;
        int base = n * PIXELS;
        for (int i = 0; i < PIXELS; i++) {
          pixels[base + i] = (bytes[at + 1 + i] & 0xFF) / 255f;
        }
      }
    }
    if (n != records) {
      throw new DataFormatException(files[files.length - 1].toString(), 0, false,
          "a file shrank while reading");
    }
    return new TensorDataset(pixels, new int[] {3, 32, 32}, labels, 0, n);
  }

  private static void checkLength(String source, long length) throws DataFormatException {
    if (length == 0) {
      throw new DataFormatException(source, 0, false, "the file is empty; expected 3073-byte records");
    }
    if (length % RECORD != 0) {
      long last = length - length % RECORD;
      throw new DataFormatException(source, last, false, "the file has " + length
          + " bytes, not a multiple of " + RECORD + ": the record starting here is incomplete ("
          + (length - last) + " of " + RECORD + " bytes)");
    }
  }
}
