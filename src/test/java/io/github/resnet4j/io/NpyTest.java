package io.github.resnet4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.tensor.DType;
import io.github.resnet4j.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .npy files under src/test/resources/io were written by NumPy 2.4 (make_npy.py there). */
class NpyTest {
  @TempDir Path tmp;

  static Path resource(String name) throws Exception {
    return Path.of(NpyTest.class.getResource("/io/" + name).toURI());
  }

  private static FileFormatException fails(Path f, String... fragments) {
    FileFormatException e = assertThrows(FileFormatException.class, () -> Npy.read(f));
    String m = e.getMessage();
    assertTrue(m.startsWith(f + ": "), m);
    for (String fr : fragments) {
      assertTrue(m.contains(fr), "expected \"" + fr + "\" in: " + m);
    }
    return e;
  }

  private Path bytes(String name, byte[] b) throws Exception {
    Path f = tmp.resolve(name);
    Files.write(f, b);
    return f;
  }

  @Test
  void readsNumpyFiles() throws Exception {
    Tensor a = Npy.read(resource("f4_2x3.npy"));
    assertArrayEquals(new int[] {2, 3}, a.shape());
    assertArrayEquals(new float[] {-1, -0.5f, 0, 0.5f, 1, 1.5f}, a.toFloatArray());
    assertEquals(DType.FLOAT32, a.dtype());

    assertArrayEquals(new float[] {0.1f, -2.5f, Float.POSITIVE_INFINITY},
        Npy.read(resource("f8_3.npy")).toFloatArray()); // 1e300 rounds to +inf in float32
    assertArrayEquals(new float[] {1, -2, 65504, 0x1p-24f}, Npy.read(resource("f2_4.npy")).toFloatArray());
    Tensor i8 = Npy.read(resource("i8_4.npy"));
    assertEquals(DType.INT64, i8.dtype());
    assertArrayEquals(new float[] {-3, 0, 7, 16777216}, i8.toFloatArray());
    Tensor i4 = Npy.read(resource("i4_3.npy"));
    assertEquals(DType.FLOAT32, i4.dtype());
    assertArrayEquals(new float[] {-16777216, 5, 123456}, i4.toFloatArray());
    Tensor u1 = Npy.read(resource("u1_2x2.npy"));
    assertArrayEquals(new int[] {2, 2}, u1.shape());
    assertArrayEquals(new float[] {0, 1, 128, 255}, u1.toFloatArray());
    assertArrayEquals(new float[] {1, 0, 1}, Npy.read(resource("b1_3.npy")).toFloatArray());
    Tensor s = Npy.read(resource("scalar_f4.npy"));
    assertArrayEquals(new int[] {}, s.shape());
    assertEquals(3.25f, s.item());
    assertArrayEquals(new int[] {0, 3}, Npy.read(resource("empty_0x3.npy")).shape());
  }

  @Test
  void readsVersion2And3Headers() throws Exception {
    for (String f : List.of("v2_f4.npy", "v3_f4.npy")) {
      Tensor t = Npy.read(resource(f));
      assertArrayEquals(new int[] {1, 2}, t.shape(), f);
      assertArrayEquals(new float[] {1.5f, -2}, t.toFloatArray(), f);
    }
  }

  @Test
  void rejectsUnsupportedArraysQuotingTheHeader() throws Exception {
    fails(resource("fortran_f4.npy"), "Fortran-order (column-major) arrays are not supported",
        "header {'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }");
    fails(resource("be_f4.npy"), "big-endian dtype '>f4' is not supported", "'descr': '>f4'");
    fails(resource("object.npy"), "object arrays (dtype '|O'", "'fortran_order': False");
    fails(resource("structured.npy"), "structured dtypes", "[('x', '<f4'), ('y', '<i4')]");
    fails(resource("unicode.npy"), "unsupported dtype '<U2'");
    fails(resource("i8_big.npy"), "I64 value 16777217 at flat index 1 is beyond 2^24");
  }

  @Test
  void rejectsCorruptFiles() throws Exception {
    byte[] good = Files.readAllBytes(resource("f4_2x3.npy"));
    assertEquals(128 + 24, good.length);

    byte[] magic = good.clone();
    magic[1] = 'X';
    fails(bytes("magic.npy", magic), "bad magic: the file starts with 93 58 55 4d 50 59");
    fails(bytes("tiny.npy", Arrays.copyOf(good, 9)), "the file is 9 bytes, too short");
    fails(bytes("trunc.npy", Arrays.copyOf(good, good.length - 4)),
        "truncated: shape (2, 3) of '<f4' needs 24 data bytes but the file has only 20",
        "file size 148, expected 152");
    fails(bytes("extra.npy", Arrays.copyOf(good, good.length + 3)), "3 unexpected bytes after the data");
    fails(bytes("headcut.npy", Arrays.copyOf(good, 60)), "header length 118 (at byte 8) runs past the end",
        "10 + 118 > file size 60");
    byte[] v4 = good.clone();
    v4[6] = 4;
    fails(bytes("v4.npy", v4), "unsupported .npy format version 4.0");

    fails(bytes("keys.npy", npy("{'descr': '<f4', 'shape': (1,), }", 4)),
        "exactly the keys 'descr', 'fortran_order' and 'shape'", "header {'descr': '<f4', 'shape': (1,), }");
    fails(bytes("syntax.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,) }x", 4)),
        "malformed header: unexpected 'x' after the literal at character 56");
    fails(bytes("list.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': [1], }", 4)),
        "'shape' is not a tuple");
    fails(bytes("neg.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 4)),
        "'shape' has -1 at position 0");
    fails(bytes("native.npy", npy("{'descr': '=f4', 'fortran_order': False, 'shape': (1,), }", 4)),
        "byte order '=' of dtype '=f4' is not supported");
    // old NumPy under Python 2 wrote shapes with an L suffix
    Tensor t = Npy.read(bytes("py2.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1L,), }",
        4)));
    assertArrayEquals(new int[] {1}, t.shape());
  }

  /** A version 1.0 file with the given header dict (padded as NumPy does) and {@code data} zero bytes. */
  private static byte[] npy(String dict, int data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int hlen = dict.length() + 1;
    int pad = 64 - (10 + hlen) % 64;
    out.writeBytes(Npy.MAGIC);
    out.write(1);
    out.write(0);
    out.write((hlen + pad) & 0xff);
    out.write((hlen + pad) >> 8);
    out.writeBytes(dict.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(" ".repeat(pad).getBytes(StandardCharsets.ISO_8859_1));
    out.write('\n');
    out.writeBytes(new byte[data]);
    return out.toByteArray();
  }

  /** The header of a (2, 3) float32 array, derived by hand from the NumPy format specification. */
  @Test
  void headerBytesMatchTheSpecification() throws Exception {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    assertEquals(59, dict.length());
    // NumPy appends 21 - len("2") = 20 spaces of growth room, then pads so that
    // 10 (magic, version, length) + 59 + 20 + padding + 1 (newline) = 128, a multiple of 64: 38 spaces.
    ByteBuffer expected = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
    expected.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) 118);
    expected.put(dict.getBytes(StandardCharsets.US_ASCII));
    expected.put(" ".repeat(20 + 38).getBytes(StandardCharsets.US_ASCII)).put((byte) '\n');
    assertEquals(0, expected.remaining());
    assertArrayEquals(expected.array(), Npy.header("<f4", new int[] {2, 3}));

    Path f = tmp.resolve("a.npy");
    Npy.write(f, Tensor.of(new float[] {-1, -0.5f, 0, 0.5f, 1, 1.5f}, 2, 3));
    byte[] written = Files.readAllBytes(f);
    assertArrayEquals(expected.array(), Arrays.copyOf(written, 128));
    ByteBuffer data = ByteBuffer.wrap(written, 128, 24).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(-1f, data.getFloat());
    assertEquals(-0.5f, data.getFloat());
    // and the whole file equals what numpy.save wrote for the same array
    assertArrayEquals(Files.readAllBytes(resource("f4_2x3.npy")), written);
  }

  @Test
  void writesFilesIdenticalToNumpySave() throws Exception {
    for (String name : List.of("f4_2x3.npy", "scalar_f4.npy", "empty_0x3.npy", "i8_4.npy")) {
      Tensor t = Npy.read(resource(name));
      Path out = tmp.resolve(name);
      Npy.write(out, t);
      assertArrayEquals(Files.readAllBytes(resource(name)), Files.readAllBytes(out), name);
    }
    for (int[] shape : new int[][] {{}, {0}, {7}, {1, 1, 1, 1, 1, 1, 1, 1}, {123456789, 0}}) {
      byte[] h = Npy.header("<f4", shape);
      assertEquals(0, h.length % 64, Arrays.toString(shape));
      assertEquals('\n', h[h.length - 1]);
      assertEquals(h.length - 10, (h[8] & 0xff) | (h[9] & 0xff) << 8);
    }
  }

  @Test
  void roundTripsAndWritesAtomically() throws Exception {
    Path f = tmp.resolve("x.npy");
    float[] v = new float[700_001]; // 2.8 MB: several write and read chunks
    for (int i = 0; i < v.length; i++) {
      v[i] = i * 0.5f - 3;
    }
    Tensor big = Tensor.of(v, 1, v.length, 1);
    Npy.write(f, big);
    assertArrayEquals(big.toFloatArray(), Npy.read(f).toFloatArray());
    Npy.write(f, Tensor.ofLongs(new long[] {5, -6}, 2, 1));
    Tensor r = Npy.read(f);
    assertEquals(DType.INT64, r.dtype());
    assertArrayEquals(new int[] {2, 1}, r.shape());
    assertArrayEquals(new float[] {5, -6}, r.toFloatArray());
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of("x.npy"), s.map(p -> p.getFileName().toString()).collect(Collectors.toList()));
    }
  }
}
