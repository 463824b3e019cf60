package io.github.resnet4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.tensor.DType;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsRoundTripTest {
  @TempDir Path tmp;

  /** Values that each dtype represents exactly. */
  static final Map<SafeTensorsDType, float[]> EXACT = new EnumMap<>(SafeTensorsDType.class);

  static {
    EXACT.put(SafeTensorsDType.BOOL, new float[] {0, 1, 1, 0});
    EXACT.put(SafeTensorsDType.U8, new float[] {0, 1, 128, 255});
    EXACT.put(SafeTensorsDType.I8, new float[] {-128, -1, 0, 127});
    EXACT.put(SafeTensorsDType.I16, new float[] {-32768, -1, 300, 32767});
    EXACT.put(SafeTensorsDType.U16, new float[] {0, 1, 40000, 65535});
    EXACT.put(SafeTensorsDType.F16, new float[] {1, -2, 65504, 0x1p-24f});
    EXACT.put(SafeTensorsDType.BF16, new float[] {1, -2.5f, 0x1p100f, -0x1p-120f});
    EXACT.put(SafeTensorsDType.I32, new float[] {-16777216, -1, 7, 16777216});
    EXACT.put(SafeTensorsDType.U32, new float[] {0, 1, 65536, 16777216});
    EXACT.put(SafeTensorsDType.F32, new float[] {0.1f, -3e-39f, Float.MAX_VALUE, -0f});
    EXACT.put(SafeTensorsDType.F64, new float[] {0.1f, -3e-39f, Float.MIN_VALUE, Float.NEGATIVE_INFINITY});
    EXACT.put(SafeTensorsDType.I64, new float[] {-16777216, -1, 0, 16777216});
    EXACT.put(SafeTensorsDType.U64, new float[] {0, 1, 2, 16777216});
  }

  @Test
  void roundTripsFloatAndInt64TensorsWithMetadata() throws Exception {
    Generator g = new Generator(7);
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("z.weight", Tensor.randn(g, 2, 3, 4, 5));
    in.put("a.bias", Tensor.randn(g, 5));
    in.put("labels", Tensor.ofLongs(new long[] {3, 0, -1, 16777216}, 4));
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("op", "conv2d");
    meta.put("quote\"and\\", "ü \n end");
    Path f = tmp.resolve("rt.safetensors");
    SafeTensors.write(f, in, meta);

    SafeTensorsFile st = SafeTensors.read(f);
    assertEquals(List.of("a.bias", "labels", "z.weight"), st.names());
    assertEquals(meta, st.metadata());
    assertEquals(SafeTensorsDType.F32, st.dtype("z.weight"));
    assertEquals(SafeTensorsDType.I64, st.dtype("labels"));
    for (String n : in.keySet()) {
      Tensor t = st.tensor(n);
      assertArrayEquals(in.get(n).shape(), t.shape());
      assertArrayEquals(in.get(n).toFloatArray(), t.toFloatArray(), n);
      assertEquals(in.get(n).dtype(), t.dtype(), n);
    }
    // the header is padded to 8 and the tensors are back to back in name order
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong(0);
    assertEquals(0, n % 8);
    assertEquals(8 + n + 4 * 5 + 8 * 4 + 4 * 120, Files.size(f));
    String header = new String(b.array(), 8, (int) n, StandardCharsets.UTF_8);
    assertTrue(header.startsWith("{\"a.bias\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,20]},"
        + "\"labels\":{\"dtype\":\"I64\",\"shape\":[4],\"data_offsets\":[20,52]},"), header);
    assertTrue(header.stripTrailing().endsWith("\"__metadata__\":{\"op\":\"conv2d\","
        + "\"quote\\\"and\\\\\":\"ü \\n end\"}}"), header);
    assertEquals(SafeTensors.readAll(f).keySet(), st.asMap().keySet());
  }

  @Test
  void roundTripsEveryWritableDtype() throws Exception {
    Map<String, Tensor> in = new LinkedHashMap<>();
    Map<String, SafeTensorsDType> types = new LinkedHashMap<>();
    for (Map.Entry<SafeTensorsDType, float[]> e : EXACT.entrySet()) {
      in.put(e.getKey().name().toLowerCase(), Tensor.of(e.getValue(), 2, 2));
      types.put(e.getKey().name().toLowerCase(), e.getKey());
    }
    Path f = tmp.resolve("dtypes.safetensors");
    SafeTensors.write(f, in, null, types);
    SafeTensorsFile st = SafeTensors.read(f);
    assertTrue(st.metadata().isEmpty());
    for (Map.Entry<SafeTensorsDType, float[]> e : EXACT.entrySet()) {
      String name = e.getKey().name().toLowerCase();
      assertEquals(e.getKey(), st.dtype(name));
      Tensor t = st.tensor(name);
      assertArrayEquals(new int[] {2, 2}, t.shape());
      assertArrayEquals(e.getValue(), t.toFloatArray(), name);
      assertEquals(e.getKey() == SafeTensorsDType.I64 ? DType.INT64 : DType.FLOAT32, t.dtype(), name);
    }
    assertEquals(8 + ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN).getLong()
        + 4 * EXACT.keySet().stream().mapToInt(SafeTensorsDType::byteSize).sum(), Files.size(f));
  }

  @Test
  void emptyMapScalarAndZeroSizeDimension() throws Exception {
    Path empty = tmp.resolve("empty.safetensors");
    SafeTensors.write(empty, Map.of(), Map.of());
    byte[] bytes = Files.readAllBytes(empty);
    assertEquals(16, bytes.length);
    assertEquals("{}      ", new String(bytes, 8, 8, StandardCharsets.US_ASCII));
    assertTrue(SafeTensors.read(empty).names().isEmpty());
    assertTrue(SafeTensors.readAll(empty).isEmpty());

    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("loss", Tensor.scalar(2.5f));
    in.put("none", Tensor.zeros(0, 3));
    in.put("zero_last", Tensor.zeros(4, 0));
    in.put("step", Tensor.ofLongs(new long[] {12}));
    Path f = tmp.resolve("shapes.safetensors");
    SafeTensors.write(f, in, Map.of("k", ""));
    SafeTensorsFile st = SafeTensors.read(f);
    assertArrayEquals(new int[] {}, st.shape("loss"));
    assertEquals(2.5f, st.tensor("loss").item());
    assertArrayEquals(new int[] {0, 3}, st.tensor("none").shape());
    assertArrayEquals(new int[] {4, 0}, st.tensor("zero_last").shape());
    assertEquals(0, st.tensor("zero_last").numel());
    assertEquals(12f, st.tensor("step").item());
    assertEquals(DType.INT64, st.tensor("step").dtype());
    assertEquals(Map.of("k", ""), st.metadata());
  }

  @Test
  void largeTensorCrossesManyReadChunks() throws Exception {
    int n = 3_000_001; // 12 MB: several 1 MB chunks and a ragged tail
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i * 0.25f - 7;
    }
    Path f = tmp.resolve("big.safetensors");
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("w", Tensor.of(v, n));
    in.put("h", Tensor.of(v, n));
    SafeTensors.write(f, in, null, Map.of("h", SafeTensorsDType.F16));
    SafeTensorsFile st = SafeTensors.read(f);
    assertArrayEquals(v, st.tensor("w").toFloatArray());
    float[] h = st.tensor("h").toFloatArray();
    for (int i = 0; i < n; i += 9973) {
      assertEquals(Elements.halfToFloat(Elements.floatToHalf(v[i])), h[i]);
    }
  }

  @Test
  void namesSortByCodePointAndSurviveUnicode() throws Exception {
    Map<String, Tensor> in = new LinkedHashMap<>();
    String astral = "\uD83D\uDE00"; // U+1F600, after U+FFFD in code point order but before it in UTF-16
    in.put(astral, Tensor.scalar(1));
    in.put("\uFFFD", Tensor.scalar(2));
    in.put("ä.weight", Tensor.scalar(3));
    in.put("", Tensor.scalar(4));
    Path f = tmp.resolve("unicode.safetensors");
    SafeTensors.write(f, in, Map.of());
    SafeTensorsFile st = SafeTensors.read(f);
    assertEquals(List.of("", "ä.weight", "\uFFFD", astral), st.names());
    assertEquals(1f, st.tensor(astral).item());
  }

  @Test
  void writeRejectsBadArguments() {
    Path f = tmp.resolve("bad.safetensors");
    Tensor t = Tensor.of(new float[] {0.5f, 2}, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.write(f, Map.of("__metadata__", t), null));
    assertTrue(e.getMessage().contains("__metadata__"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.write(f, Map.of("a", t), null, Map.of("b", SafeTensorsDType.I32)));
    assertTrue(e.getMessage().contains("\"b\""), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.write(f, Map.of("a", t), null, Map.of("a", SafeTensorsDType.F8_E4M3)));
    assertTrue(e.getMessage().contains("F8_E4M3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.write(f, Map.of("a", t), null, Map.of("a", SafeTensorsDType.I32)));
    assertTrue(e.getMessage().contains("tensor \"a\": value 0.5 at flat index 0 cannot be written as I32"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.write(f, Map.of("a", Tensor.of(new float[] {1, 2}, 2)), null,
            Map.of("a", SafeTensorsDType.BOOL)));
    assertTrue(e.getMessage().contains("value 2.0 at flat index 1"), e.getMessage());
    assertTrue(!Files.exists(f));
  }

  /** A conversion that fails midway leaves the old file intact and no temporary file behind. */
  @Test
  void failedWriteLeavesOldFileAndNoTemporary() throws Exception {
    Path f = tmp.resolve("model.safetensors");
    SafeTensors.write(f, Map.of("w", Tensor.of(new float[] {1, 2, 3}, 3)), Map.of("v", "1"));
    byte[] before = Files.readAllBytes(f);

    float[] big = new float[2_000_000];
    big[1_999_999] = 300; // U8 overflow at the very end, after megabytes have been written
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("a", Tensor.zeros(1000, 1000));
    in.put("b", Tensor.of(big, big.length));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.write(f, in, Map.of("v", "2"), Map.of("b", SafeTensorsDType.U8)));
    assertTrue(e.getMessage().contains("tensor \"b\": value 300.0 at flat index 1999999"), e.getMessage());

    assertArrayEquals(before, Files.readAllBytes(f));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of("model.safetensors"),
          s.map(p -> p.getFileName().toString()).collect(Collectors.toList()));
    }
    assertEquals("1", SafeTensors.read(f).metadata().get("v"));
  }

  /** The saved file gets the ordinary default permissions, not a temporary file's owner-only ones. */
  @Test
  void writtenFileHasDefaultPermissions() throws Exception {
    if (!tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    Path plain = Files.write(tmp.resolve("plain"), new byte[1]);
    Path f = tmp.resolve("perm.safetensors");
    SafeTensors.write(f, Map.of("w", Tensor.ones(1)), null);
    Path n = tmp.resolve("perm.npy");
    Npy.write(n, Tensor.ones(1));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(n));
  }

  @Test
  void writeReplacesExistingFile() throws Exception {
    Path f = tmp.resolve("m.safetensors");
    SafeTensors.write(f, Map.of("w", Tensor.ones(3)), null);
    SafeTensors.write(f, Map.of("v", Tensor.zeros(2)), null);
    assertEquals(List.of("v"), SafeTensors.read(f).names());
    Path rel = Path.of("target", "io-relative-test.safetensors");
    try {
      SafeTensors.write(rel, Map.of("w", Tensor.ones(1)), null); // a relative path with a parent
      assertEquals(1f, SafeTensors.read(rel).tensor("w").item());
    } finally {
      Files.deleteIfExists(rel);
    }
  }
}
