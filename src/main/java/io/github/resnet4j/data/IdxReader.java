package io.github.resnet4j.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads image and label files in the IDX format of MNIST and Fashion-MNIST, gzip-compressed or raw.
 *
 * <p>An IDX file is a big-endian header, magic number {@code 0x0000TTDD} (type code {@code TT}, e.g.
 * {@code 0x08} for unsigned bytes, and {@code DD} dimensions), one 32-bit size per dimension, then the
 * elements in row-major order. Images are {@code 0x00000803} {@code [N, H, W]}, labels {@code 0x00000801}
 * {@code [N]}. Gzip is recognised by its magic bytes {@code 1f 8b}, whatever the file name. Anything
 * truncated, corrupt or inconsistent throws a {@link DataFormatException} naming the file and the byte
 * offset (in the decompressed stream for gzip files).
 *
 * <pre>{@code
 * TensorDataset train = IdxReader.read(dir.resolve("train-images-idx3-ubyte.gz"),
 *     dir.resolve("train-labels-idx1-ubyte.gz"));   // images [60000, 1, 28, 28] in [0, 1]
 * }</pre>
 */
public final class IdxReader {
  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;
  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private IdxReader() {}

  /**
   * Reads an image file and its label file into a data set.
   *
   * @param images an IDX file of unsigned bytes {@code [N, H, W]}, raw or gzip
   * @param labels an IDX file of unsigned bytes {@code [N]}, raw or gzip
   * @return images {@code [N, 1, H, W]} scaled to [0, 1] (byte / 255) with their labels
   * @throws DataFormatException if a file is truncated, corrupt, not of the expected type, or the counts
   *     differ
   * @throws IOException if a file cannot be read
   */
  public static TensorDataset read(Path images, Path labels) throws IOException {
    return dataset(parse(images, IMAGES_MAGIC), parse(labels, LABELS_MAGIC));
  }

  /** Parses one file, checking its magic number unless {@code expectedMagic} is 0. */
  static Idx parse(Path file, int expectedMagic) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString(), expectedMagic);
    }
  }

  /** Combines parsed image and label files into a data set, scaling bytes to [0, 1]. */
  static TensorDataset dataset(Idx images, Idx labels) throws DataFormatException {
    if (labels.dims()[0] != images.dims()[0]) {
      throw new DataFormatException(labels.source(), 4, labels.gzip(), "the file holds " + labels.dims()[0]
          + " labels but " + images.source() + " holds " + images.dims()[0] + " images");
    }
    byte[] px = images.payload();
    float[] pixels = new float[px.length];
    for (int i = 0; i < px.length; i++) {
      pixels[i] = (px[i] & 0xFF) / 255f;
    }
    byte[] lb = labels.payload();
    int[] classes = new int[lb.length];
    for (int i = 0; i < lb.length; i++) {
      classes[i] = lb[i] & 0xFF;
    }
    int[] d = images.dims();
    return new TensorDataset(pixels, new int[] {1, d[1], d[2]}, classes, 0, d[0]);
  }

  /**
   * Parses an IDX stream of any type code.
   *
   * @param in the bytes, gzip or raw; not closed
   * @param source the file name for messages
   * @param expectedMagic the required magic number, or 0 to accept any valid one
   * @return the parsed file
   */
  static Idx parse(InputStream in, String source, int expectedMagic) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
    buffered.mark(2);
    boolean gzip = buffered.read() == 0x1F && buffered.read() == 0x8B;
    buffered.reset();
    Cursor c = new Cursor(source, gzip);
    if (gzip) {
      try {
        c.in = new GZIPInputStream(buffered, 1 << 16);
      } catch (IOException e) {
        throw c.error("invalid gzip header (" + e + ")", e);
      }
    } else {
      c.in = buffered;
    }
    byte[] head = c.read(4, "the 4-byte magic number");
    int magic = readInt(head, 0);
    if (head[0] != 0 || head[1] != 0) {
      throw new DataFormatException(source, 0, gzip, String.format(
          "not an IDX file: magic number 0x%08X should start with two zero bytes", magic));
    }
    int type = head[2] & 0xFF;
    int rank = head[3] & 0xFF;
    if (Idx.elementSize(type) == 0) {
      throw new DataFormatException(source, 2, gzip, String.format("unknown IDX type code 0x%02X", type));
    }
    if (rank == 0) {
      throw new DataFormatException(source, 3, gzip, "an IDX file must have at least one dimension");
    }
    if (expectedMagic != 0 && magic != expectedMagic) {
      throw new DataFormatException(source, 0, gzip, String.format(
          "expected magic number 0x%08X (%s, %d dimensions), found 0x%08X (%s, %d dimensions)",
          expectedMagic, Idx.typeName((expectedMagic >> 8) & 0xFF), expectedMagic & 0xFF, magic,
          Idx.typeName(type), rank));
    }
    byte[] sizes = c.read(4 * rank, rank + " dimension sizes");
    int[] dims = new int[rank];
    long count = Idx.elementSize(type);
    for (int i = 0; i < rank; i++) {
      dims[i] = readInt(sizes, 4 * i);
      if (dims[i] <= 0) {
        throw new DataFormatException(source, 4 + 4L * i, gzip, "dimension " + i + " has size " + dims[i]
            + "; sizes must be positive");
      }
      count *= dims[i];
      if (count > MAX_ARRAY) {
        throw new DataFormatException(source, 4 + 4L * i, gzip, "payload of more than " + MAX_ARRAY
            + " bytes is too large to load");
      }
    }
    byte[] payload = c.read((int) count, count + " bytes of " + Idx.typeName(type) + " data");
    c.expectEnd();
    return new Idx(source, gzip, type, dims, payload);
  }

  private static int readInt(byte[] b, int at) {
    return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
  }

  /** A stream with its position, turning short reads and gzip failures into located errors. */
  private static final class Cursor {
    final String source;
    final boolean gzip;
    InputStream in;
    long pos;

    Cursor(String source, boolean gzip) {
      this.source = source;
      this.gzip = gzip;
    }

    DataFormatException error(String problem, Throwable cause) {
      return new DataFormatException(source, pos, gzip, problem, cause);
    }

    byte[] read(int n, String what) throws IOException {
      byte[] out = new byte[n];
      long start = pos;
      int got = 0;
      while (got < n) {
        int r;
        try {
          r = in.read(out, got, n - got);
        } catch (IOException e) {
          throw wrap(e);
        }
        if (r < 0) {
          throw error("the data ends early: expected " + what + " in bytes " + start + " to " + (start + n)
              + ", but only " + (pos - start) + " of them are present", null);
        }
        got += r;
        pos += r;
      }
      return out;
    }

    void expectEnd() throws IOException {
      int next;
      try {
        next = in.read();
      } catch (IOException e) {
        throw wrap(e);
      }
      if (next >= 0) {
        throw error("unexpected data after the end of the payload", null);
      }
    }

    private IOException wrap(IOException e) {
      if (!gzip) {
        return e; // a failing disk, not a format problem
      }
      return error("the gzip stream is truncated or corrupt (" + e + ")", e);
    }
  }
}
