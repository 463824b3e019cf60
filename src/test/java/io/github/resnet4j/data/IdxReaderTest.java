package io.github.resnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir Path tmp;

  static Path sampleFile(String name) throws URISyntaxException {
    return Path.of(IdxReader.class.getResource("fashion-mnist-sample/" + name).toURI());
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(tmp.resolve(name), bytes);
  }

  private static byte[] images(int n, int h, int w) {
    return IdxBytes.idx(0x803, new int[] {n, h, w}, IdxBytes.ramp(n * h * w));
  }

  private static byte[] labels(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) values[i];
    }
    return IdxBytes.idx(0x801, new int[] {values.length}, b);
  }

  /** Reads and expects a format error located in {@code file} at {@code offset}. */
  private static DataFormatException fails(Path images, Path labels, Path file, long offset) {
    DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.read(images, labels));
    assertEquals(file.toString(), e.source());
    assertEquals(offset, e.offset(), e.getMessage());
    assertTrue(e.getMessage().startsWith(file + ": byte " + offset + (file.toString().endsWith(".gz")
        ? " of the decompressed stream: " : ": ")), e.getMessage());
    return e;
  }

  @Test
  void readsTheBundledSampleFromGzip() throws Exception {
    TensorDataset ds = IdxReader.read(sampleFile("train-images-idx3-ubyte.gz"),
        sampleFile("train-labels-idx1-ubyte.gz"));
    assertEquals(2000, ds.size());
    assertArrayEquals(new int[] {1, 28, 28}, ds.imageShape());
    int[] perClass = new int[10];
    for (int label : ds.labels()) {
      perClass[label]++;
    }
    int[] expected = new int[10];
    Arrays.fill(expected, 200);
    assertArrayEquals(expected, perClass);
    assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9}, Arrays.copyOf(ds.labels(), 12));
    float[] all = ds.images().toFloatArray();
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float v : all) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertEquals(0f, min);
    assertEquals(1f, max);
    // row 14 of training image 0 (an ankle boot), bytes read independently with Python's gzip module
    int[] row = {0, 0, 1, 4, 6, 7, 2, 0, 0, 0, 0, 0, 237, 226, 217, 223, 222, 219, 222, 221, 216, 223, 229,
        215, 218, 255, 77, 0};
    float[] image = ds.get(0).image();
    for (int x = 0; x < 28; x++) {
      assertEquals(row[x] / 255f, image[14 * 28 + x]);
    }
  }

  @Test
  void rawFilesReadLikeGzipFiles() throws Exception {
    Path[] raw = new Path[2];
    String[] names = {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    for (int i = 0; i < 2; i++) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(sampleFile(names[i] + ".gz")))) {
        raw[i] = write(names[i], in.readAllBytes());
      }
    }
    TensorDataset fromRaw = IdxReader.read(raw[0], raw[1]);
    TensorDataset fromGz = IdxReader.read(sampleFile(names[0] + ".gz"), sampleFile(names[1] + ".gz"));
    assertEquals(500, fromRaw.size());
    assertArrayEquals(fromGz.labels(), fromRaw.labels());
    assertArrayEquals(fromGz.images().toFloatArray(), fromRaw.images().toFloatArray());
  }

  @Test
  void readsAHandBuiltFile() throws Exception {
    // two 2x3 images with bytes 0..11, gzip detected by content although the name says raw
    Path img = write("images", IdxBytes.gzip(images(2, 2, 3)));
    Path lab = write("labels", labels(3, 7));
    TensorDataset ds = IdxReader.read(img, lab);
    assertEquals(2, ds.size());
    Example second = ds.get(1);
    assertArrayEquals(new int[] {1, 2, 3}, second.shape());
    float[] expected = {6 / 255f, 7 / 255f, 8 / 255f, 9 / 255f, 10 / 255f, 11 / 255f};
    assertArrayEquals(expected, second.image());
    assertEquals(7, second.label());
    assertEquals(3, ds.label(0));
  }

  @Test
  void parsesOtherIdxTypes() throws Exception {
    byte[] floats = IdxBytes.idx(0x00000D02, new int[] {2, 3}, new byte[24]);
    Idx idx = IdxReader.parse(new ByteArrayInputStream(floats), "floats", 0);
    assertEquals(Idx.FLOAT, idx.type());
    assertArrayEquals(new int[] {2, 3}, idx.dims());
    assertEquals(24, idx.payload().length);
    Path img = write("floats", floats);
    DataFormatException e = fails(img, write("labels", labels(0, 1)), img, 0);
    assertTrue(e.getMessage().contains("expected magic number 0x00000803 (unsigned byte, 3 dimensions),"
        + " found 0x00000D02 (float, 2 dimensions)"), e.getMessage());
  }

  @Test
  void truncatedPayloadNamesTheOffsetWhereDataEnds() throws Exception {
    byte[] full = images(2, 2, 3);
    Path img = write("short-images", Arrays.copyOf(full, full.length - 2)); // 16-byte header + 10 bytes
    Path lab = write("labels", labels(0, 1));
    DataFormatException e = fails(img, lab, img, 26);
    assertTrue(e.getMessage().contains("bytes 16 to 28"), e.getMessage());
  }

  @Test
  void truncatedHeader() throws Exception {
    Path img = write("header", Arrays.copyOf(images(2, 2, 3), 9));
    fails(img, write("labels", labels(0, 1)), img, 9);
    Path empty = write("empty", new byte[0]);
    fails(empty, write("labels2", labels(0, 1)), empty, 0);
  }

  @Test
  void wrongMagic() throws Exception {
    Path lab = write("labels", labels(0, 1));
    DataFormatException swapped = fails(lab, lab, lab, 0);
    assertTrue(swapped.getMessage().contains("found 0x00000801"), swapped.getMessage());
    byte[] bad = images(1, 1, 1);
    bad[0] = 0x12;
    Path img = write("not-idx", bad);
    assertTrue(fails(img, lab, img, 0).getMessage().contains("not an IDX file"));
    byte[] badType = images(1, 1, 1);
    badType[2] = 0x0A;
    Path typed = write("bad-type", badType);
    assertTrue(fails(typed, lab, typed, 2).getMessage().contains("unknown IDX type code 0x0A"));
  }

  @Test
  void zeroOrNegativeDimension() throws Exception {
    Path lab = write("labels", labels(0, 1));
    Path img = write("zero", IdxBytes.idx(0x803, new int[] {2, 0, 3}, new byte[0]));
    assertTrue(fails(img, lab, img, 8).getMessage().contains("dimension 1 has size 0"));
    Path neg = write("negative", IdxBytes.idx(0x803, new int[] {2, 2, -1}, new byte[0]));
    fails(neg, lab, neg, 12);
  }

  @Test
  void imageAndLabelCountsMustAgree() throws Exception {
    Path img = write("images", images(2, 2, 3));
    Path lab = write("labels.gz", IdxBytes.gzip(labels(0, 1, 2)));
    DataFormatException e = fails(img, lab, lab, 4);
    assertTrue(e.getMessage().contains("holds 3 labels but " + img + " holds 2 images"), e.getMessage());
  }

  @Test
  void trailingBytesAreAnError() throws Exception {
    byte[] full = images(2, 2, 3);
    Path img = write("long", Arrays.copyOf(full, full.length + 1));
    fails(img, write("labels", labels(0, 1)), img, full.length);
  }

  @Test
  void truncatedGzipNamesTheDecompressedOffset() throws Exception {
    byte[] raw = images(50, 28, 28); // 39,216 bytes of a ramp: compresses well but not to nothing
    byte[] gz = IdxBytes.gzip(raw);
    Path lab = write("labels", labels(new int[50]));
    Path half = write("half.gz", Arrays.copyOf(gz, gz.length / 2));
    DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.read(half, lab));
    assertEquals(half.toString(), e.source());
    assertTrue(e.offset() >= 16 && e.offset() < raw.length, e.getMessage());
    assertTrue(e.getMessage().startsWith(half + ": byte " + e.offset()
        + " of the decompressed stream: the gzip stream is truncated or corrupt"), e.getMessage());
    // without the 8-byte trailer every payload byte is there, but the stream still ends early
    Path noTrailer = write("no-trailer.gz", Arrays.copyOf(gz, gz.length - 8));
    fails(noTrailer, lab, noTrailer, raw.length);
    Path header = write("header.gz", Arrays.copyOf(gz, 5));
    fails(header, lab, header, 0);
  }
}
