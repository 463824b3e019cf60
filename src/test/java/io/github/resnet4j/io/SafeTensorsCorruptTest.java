package io.github.resnet4j.io;

import io.github.resnet4j.testing.Fixtures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.tensor.Tensor;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each malformed file fails with a {@link FileFormatException} naming the file and the problem. */
class SafeTensorsCorruptTest {
  @TempDir Path tmp;

  private Path bytes(String name, byte[] b) throws Exception {
    Path f = tmp.resolve(name);
    Files.write(f, b);
    return f;
  }

  /** A file with the given header (padded to 8 with spaces) and {@code dataBytes} zero bytes of data. */
  private Path file(String name, String header, int dataBytes) throws Exception {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    int n = (h.length + 7) / 8 * 8;
    ByteBuffer b = ByteBuffer.allocate(8 + n + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(n).put(h);
    for (int i = h.length; i < n; i++) {
      b.put((byte) ' ');
    }
    return bytes(name, b.array());
  }

  private static FileFormatException fails(Path f, String... fragments) {
    FileFormatException e = assertThrows(FileFormatException.class, () -> SafeTensors.read(f));
    String m = e.getMessage();
    assertTrue(m.startsWith(f + ": "), m);
    assertEquals(f, e.file());
    for (String fr : fragments) {
      assertTrue(m.contains(fr), "expected \"" + fr + "\" in: " + m);
    }
    return e;
  }

  private static String t(String name, String dtype, String shape, long b, long e) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + b
        + "," + e + "]}";
  }

  @Test
  void shorterThanEightBytes() throws Exception {
    fails(bytes("short.safetensors", new byte[] {1, 0, 0, 0, 0}), "the file is 5 bytes",
        "shorter than the 8-byte header length");
    fails(bytes("zero.safetensors", new byte[0]), "the file is 0 bytes");
  }

  @Test
  void hugeHeaderLength() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 62);
    fails(bytes("huge.safetensors", b.array()), "header length 4611686018427387904",
        "runs past the end of the file", "file size 64", "100000000-byte header limit");
    b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L); // 2^64 - 1 unsigned
    fails(bytes("max.safetensors", b.array()), "header length 18446744073709551615");
  }

  @Test
  void headerLengthBeyondFile() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(30).order(ByteOrder.LITTLE_ENDIAN).putLong(100);
    b.put("{}".getBytes(StandardCharsets.US_ASCII));
    fails(bytes("beyond.safetensors", b.array()), "header length 100 (bytes 0..7)",
        "8 + 100 > file size 30");
  }

  @Test
  void absurdHeaderLengthInABigSparseFile() throws Exception {
    Path f = tmp.resolve("sparse.safetensors");
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(120_000_000L); // sparse: no disk or heap cost
      raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(110_000_000L).array());
    }
    fails(f, "header length 110000000 (bytes 0..7) is absurd", "more than 100000000 bytes");
  }

  @Test
  void malformedJson() throws Exception {
    Path f = file("badjson.safetensors", "{\"a\":{\"dtype\":\"F32\",,}}", 0);
    fails(f, "malformed JSON header", "expected a string key but found ','",
        "at header character 20 (file byte offset 28)");
    fails(file("nonascii.safetensors", "{\"ä\": x}", 0), "at header character 6 (file byte offset 15)");
    fails(file("dup.safetensors", "{" + t("a", "F32", "[1]", 0, 4) + "," + t("a", "F32", "[1]", 4, 8) + "}",
        8), "duplicate key \"a\"");
    fails(file("array.safetensors", "[1,2]", 0), "the header is a JSON array, not an object");
    fails(file("trunc.safetensors", "{\"a\":{\"dtype\"", 0), "malformed JSON header",
        "found end of input");
  }

  @Test
  void invalidUtf8Header() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8);
    b.put(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}', ' '});
    fails(bytes("utf8.safetensors", b.array()), "not valid UTF-8", "file byte offset 10");
  }

  @Test
  void wrongFieldTypes() throws Exception {
    fails(file("f1.safetensors", "{\"a\":[1]}", 0), "tensor \"a\": the entry is a JSON array");
    fails(file("f2.safetensors", "{\"a\":{\"dtype\":5,\"shape\":[],\"data_offsets\":[0,4]}}", 4),
        "tensor \"a\": dtype is a JSON number, not a string");
    fails(file("f3.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8),
        "tensor \"a\": shape is a JSON string, not an array");
    fails(file("f4.safetensors", "{" + t("a", "F32", "[2,-1]", 0, 8) + "}", 8),
        "tensor \"a\": shape [2,-1] has -1 at position 1, not a non-negative integer");
    fails(file("f5.safetensors", "{" + t("a", "F32", "[2.0]", 0, 8) + "}", 8),
        "shape [2.0] has 2.0 at position 0");
    fails(file("f6.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4),
        "tensor \"a\": data_offsets [0] is not a list of two non-negative integers");
    fails(file("f7.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4),
        "data_offsets [0,4,8] is not a list of two");
    fails(file("f8.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4),
        "tensor \"a\": missing field \"data_offsets\"");
    fails(file("f9.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4),
        "tensor \"a\": unknown field \"x\"");
    fails(file("f10.safetensors", "{\"__metadata__\":{\"k\":1}}", 0),
        "\"__metadata__\" value of \"k\" is a JSON number, not a string");
    fails(file("f11.safetensors", "{\"__metadata__\":[]}", 0), "\"__metadata__\" is a JSON array");
    fails(file("f12.safetensors", "{" + t("a", "F32", "[99999999999]", 0, 8) + "}", 8),
        "has 99999999999 at position 0");
    fails(file("f13.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1e999]}}", 4),
        "data_offsets [0, Infinity] is not a list of two");
  }

  @Test
  void unknownDtype() throws Exception {
    fails(file("dtype.safetensors", "{" + t("w", "F128", "[1]", 0, 16) + "}", 16),
        "tensor \"w\": unknown dtype \"F128\"", "known: [BOOL, U8");
  }

  @Test
  void offsetsOutOfRange() throws Exception {
    fails(file("range.safetensors", "{" + t("w", "F32", "[4]", 0, 16) + "}", 12),
        "tensor \"w\": data_offsets [0, 16] ends beyond the 12-byte data buffer", "file truncated?");
    fails(file("order.safetensors", "{" + t("w", "F32", "[1]", 8, 4) + "}", 8),
        "tensor \"w\": data_offsets [8, 4] has begin > end");
  }

  @Test
  void overlappingTensors() throws Exception {
    fails(file("overlap.safetensors", "{" + t("a", "F32", "[2]", 0, 8) + "," + t("b", "F32", "[2]", 4, 12)
        + "}", 12), "tensor \"b\" at data_offsets [4, 12] overlaps tensor \"a\" at [0, 8]");
    fails(file("empty_inside.safetensors", "{" + t("a", "F32", "[2]", 0, 8) + "," + t("z", "F32", "[0]", 4, 4)
        + "}", 8), "tensor \"z\" at data_offsets [4, 4] overlaps tensor \"a\"");
  }

  @Test
  void gapsAndTrailingBytes() throws Exception {
    fails(file("gap.safetensors", "{" + t("a", "F32", "[1]", 0, 4) + "," + t("b", "F32", "[1]", 8, 12) + "}",
        12), "gap in the data buffer: bytes [4, 8)", "before tensor \"b\"");
    fails(file("lead.safetensors", "{" + t("a", "F32", "[1]", 4, 8) + "}", 8),
        "gap in the data buffer: bytes [0, 4)");
    fails(file("trail.safetensors", "{" + t("a", "F32", "[1]", 0, 4) + "}", 8),
        "the data buffer has 4 bytes after the last tensor");
  }

  @Test
  void byteLengthMustMatchDtypeTimesShape() throws Exception {
    fails(file("len.safetensors", "{" + t("w", "F32", "[3]", 0, 8) + "}", 8),
        "tensor \"w\": data_offsets [0, 8] span 8 bytes but dtype F32 (4 bytes) x shape [3] (3 elements)"
            + " needs 12 bytes");
    fails(file("scalar.safetensors", "{" + t("s", "F64", "[]", 0, 4) + "}", 4),
        "dtype F64 (8 bytes) x shape [] (1 elements) needs 8 bytes");
  }

  @Test
  void truncatedFile() throws Exception {
    Path good = tmp.resolve("good.safetensors");
    SafeTensors.write(good, Map.of("a", Tensor.ones(10), "b", Tensor.zeros(3, 3)), Map.of());
    byte[] all = Files.readAllBytes(good);
    Path cut = bytes("cut.safetensors", Arrays.copyOf(all, all.length - 10));
    fails(cut, "tensor \"b\": data_offsets [40, 76] ends beyond the 66-byte data buffer");
    Path fixture = Fixtures.path("linear");
    byte[] fx = Files.readAllBytes(fixture);
    fails(bytes("linear_cut.safetensors", Arrays.copyOf(fx, fx.length - 1)), "ends beyond");
    fails(bytes("linear_head.safetensors", Arrays.copyOf(fx, 100)), "runs past the end of the file");
  }

  @Test
  void integersBeyondFloat32AreReportedOnRead() throws Exception {
    Path f = tmp.resolve("ints.safetensors");
    SafeTensors.write(f, Map.of("ok", Tensor.of(new float[] {16777216, -16777216}, 2),
        "big", Tensor.of(new float[] {1, 16777218}, 2)), null,
        Map.of("ok", SafeTensorsDType.I64, "big", SafeTensorsDType.I64));
    SafeTensorsFile st = SafeTensors.read(f);
    assertEquals(16777216f, st.tensor("ok").get(0));
    FileFormatException e = assertThrows(FileFormatException.class, () -> st.tensor("big"));
    assertTrue(e.getMessage().startsWith(f + ": tensor \"big\": I64 value 16777218 at flat index 1 is beyond"
        + " 2^24"), e.getMessage());
    assertThrows(FileFormatException.class, st::asMap);
    // a BOOL byte other than 0/1
    Path b = file("bool.safetensors", "{" + t("m", "BOOL", "[2]", 0, 2) + "}", 0);
    byte[] bb = Files.readAllBytes(b);
    Files.write(b, concat(bb, new byte[] {1, 2}));
    FileFormatException e2 = assertThrows(FileFormatException.class, () -> SafeTensors.read(b).tensor("m"));
    assertTrue(e2.getMessage().contains("BOOL element 1 is the byte 2"), e2.getMessage());
  }

  @Test
  void missingNameListsAvailableNames() throws Exception {
    SafeTensorsFile st = Fixtures.load("linear");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> st.tensor("wieght"));
    assertTrue(e.getMessage().contains("no tensor \"wieght\" in " + st.path()), e.getMessage());
    assertTrue(e.getMessage().contains("weight"), e.getMessage());
    assertTrue(e.getMessage().contains(st.names().toString()), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> st.shape("nope"));
  }

  @Test
  void fileChangedAfterOpening() throws Exception {
    Path f = tmp.resolve("changing.safetensors");
    SafeTensors.write(f, Map.of("a", Tensor.ones(4)), null);
    SafeTensorsFile st = SafeTensors.read(f);
    Files.write(f, concat(Files.readAllBytes(f), new byte[4]));
    FileFormatException e = assertThrows(FileFormatException.class, () -> st.tensor("a"));
    assertTrue(e.getMessage().contains("changed"), e.getMessage());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
