package io.github.resnet4j.io;

import io.github.resnet4j.tensor.DType;
import io.github.resnet4j.tensor.Tensor;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format.
 *
 * <pre>
 * bytes 0..7       N, unsigned 64-bit little-endian: the header length
 * bytes 8..8+N     UTF-8 JSON object {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]},
 *                  ..., "__metadata__": {"key": "value"}}, padded with spaces
 * bytes 8+N..end   the data buffer; tensor bytes are [b, e) in it, little-endian, row-major (C order)
 * </pre>
 *
 * <p>Reading validates the whole header before any data is touched; every failure is a
 * {@link FileFormatException} naming the file, the problem and the offsets or values involved:
 * a file shorter than 8 bytes; a header length beyond the file or above 100 MB (checked before anything is
 * allocated); a header that is not UTF-8, not strict JSON (including duplicate names), not an object, or
 * with missing, unknown or mistyped fields; an unknown dtype; a shape that is not a list of non-negative
 * integers; {@code data_offsets} that are not two non-negative integers with begin &lt;= end &lt;= the
 * data buffer length; a byte length other than dtype size &times; product(shape); and tensors that
 * overlap, leave gaps, or do not end exactly at the end of the file.
 *
 * <pre>{@code
 * Map<String, Tensor> state = SafeTensors.readAll(Path.of("resnet18.safetensors"));
 * SafeTensors.write(Path.of("out.safetensors"), state, Map.of("epoch", "3"));
 * }</pre>
 */
public final class SafeTensors {
  /** Header lengths above this are rejected as absurd, as the reference implementation does. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final String METADATA_KEY = "__metadata__";
  private static final Set<String> FIELDS = Set.of("dtype", "shape", "data_offsets");

  private SafeTensors() {}

  // ---------------------------------------------------------------- reading

  /**
   * Opens a safetensors file and validates its header; tensor data is read on demand.
   *
   * @param file the file
   * @return the parsed file
   * @throws FileFormatException if the file is malformed (see the class comment for the checks)
   * @throws IOException if the file cannot be read
   */
  public static SafeTensorsFile read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new FileFormatException(file, "the file is " + size
            + " bytes, shorter than the 8-byte header length that starts a safetensors file");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0, file);
      long n = lenBuf.getLong(0);
      if (n < 0 || n > size - 8) {
        throw new FileFormatException(file, "the header length " + Long.toUnsignedString(n)
            + " (bytes 0..7) runs past the end of the file: 8 + " + Long.toUnsignedString(n)
            + " > file size " + size + (n < 0 || n > MAX_HEADER_BYTES ? " (and exceeds the "
            + MAX_HEADER_BYTES + "-byte header limit)" : ""));
      }
      if (n > MAX_HEADER_BYTES) {
        throw new FileFormatException(file, "the header length " + n + " (bytes 0..7) is absurd: more than "
            + MAX_HEADER_BYTES + " bytes");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) n);
      readFully(ch, hb, 8, file);
      String header = decodeUtf8(hb, file);
      return parseHeader(file, header, size, 8 + n);
    }
  }

  /**
   * Reads every tensor of a safetensors file.
   *
   * @param file the file
   * @return a new {@link LinkedHashMap} from name to tensor, in header order
   * @throws FileFormatException if the file is malformed or a value cannot be converted
   * @throws IOException if the file cannot be read
   * @see SafeTensorsFile#asMap()
   */
  public static LinkedHashMap<String, Tensor> readAll(Path file) throws IOException {
    return read(file).asMap();
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long pos, Path file) throws IOException {
    long p = pos;
    while (b.hasRemaining()) {
      int r = ch.read(b, p);
      if (r < 0) {
        throw new FileFormatException(file, "unexpected end of file at byte " + p);
      }
      p += r;
    }
    b.flip();
  }

  private static String decodeUtf8(ByteBuffer hb, Path file) throws FileFormatException {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer out = CharBuffer.allocate(hb.remaining());
    CoderResult r = dec.decode(hb, out, true);
    if (r.isError()) {
      throw new FileFormatException(file, "the header is not valid UTF-8: " + r.length()
          + " bad byte(s) at file byte offset " + (8 + hb.position()));
    }
    dec.flush(out);
    return out.flip().toString();
  }

  private static SafeTensorsFile parseHeader(Path file, String header, long size, long dataStart)
      throws FileFormatException {
    Object root;
    try {
      root = Json.parse(header);
    } catch (Json.ParseException e) {
      throw new FileFormatException(file, "malformed JSON header: " + e.problem + " at header character "
          + e.position + " (file byte offset " + (8 + utf8Length(header, e.position)) + ")");
    }
    if (!(root instanceof Map)) {
      throw new FileFormatException(file, "the header is a JSON " + typeName(root) + ", not an object");
    }
    long dataLen = size - dataStart;
    Map<String, SafeTensorsFile.Entry> entries = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<?, ?> kv : ((Map<?, ?>) root).entrySet()) {
      String name = (String) kv.getKey();
      Object v = kv.getValue();
      if (name.equals(METADATA_KEY)) {
        parseMetadata(file, v, metadata);
      } else {
        entries.put(name, parseEntry(file, name, v, dataLen, dataStart));
      }
    }
    checkCoverage(file, entries, dataLen, dataStart);
    return new SafeTensorsFile(file, size, dataStart, entries, metadata);
  }

  private static void parseMetadata(Path file, Object v, Map<String, String> out)
      throws FileFormatException {
    if (v == null) {
      return;
    }
    if (!(v instanceof Map)) {
      throw new FileFormatException(file, "\"__metadata__\" is a JSON " + typeName(v)
          + ", not an object of strings");
    }
    for (Map.Entry<?, ?> kv : ((Map<?, ?>) v).entrySet()) {
      if (!(kv.getValue() instanceof String)) {
        throw new FileFormatException(file, "\"__metadata__\" value of \"" + kv.getKey() + "\" is a JSON "
            + typeName(kv.getValue()) + ", not a string");
      }
      out.put((String) kv.getKey(), (String) kv.getValue());
    }
  }

  private static SafeTensorsFile.Entry parseEntry(Path file, String name, Object v, long dataLen,
      long dataStart) throws FileFormatException {
    String what = "tensor \"" + name + "\"";
    if (!(v instanceof Map)) {
      throw new FileFormatException(file, what + ": the entry is a JSON " + typeName(v)
          + ", not an object with dtype, shape and data_offsets");
    }
    Map<?, ?> m = (Map<?, ?>) v;
    for (Object k : m.keySet()) {
      if (!FIELDS.contains(k)) {
        throw new FileFormatException(file, what + ": unknown field \"" + k
            + "\" (expected only dtype, shape and data_offsets)");
      }
    }
    for (String f : List.of("dtype", "shape", "data_offsets")) {
      if (!m.containsKey(f)) {
        throw new FileFormatException(file, what + ": missing field \"" + f + "\"");
      }
    }
    Object dt = m.get("dtype");
    if (!(dt instanceof String)) {
      throw new FileFormatException(file, what + ": dtype is a JSON " + typeName(dt) + ", not a string");
    }
    SafeTensorsDType dtype = SafeTensorsDType.fromHeader((String) dt);
    if (dtype == null) {
      throw new FileFormatException(file, what + ": unknown dtype \"" + dt + "\" (known: "
          + Arrays.toString(SafeTensorsDType.values()) + ")");
    }
    Object sh = m.get("shape");
    if (!(sh instanceof List)) {
      throw new FileFormatException(file, what + ": shape is a JSON " + typeName(sh) + ", not an array");
    }
    List<?> sl = (List<?>) sh;
    int[] shape = new int[sl.size()];
    long numel = 1;
    for (int i = 0; i < shape.length; i++) {
      Object d = sl.get(i);
      if (!(d instanceof Long) || (Long) d < 0 || (Long) d > Integer.MAX_VALUE) {
        throw new FileFormatException(file, what + ": shape " + show(sl) + " has " + show(d)
            + " at position " + i + ", not a non-negative integer up to " + Integer.MAX_VALUE);
      }
      shape[i] = (int) (long) (Long) d;
      try {
        numel = Math.multiplyExact(numel, shape[i]);
      } catch (ArithmeticException e) {
        throw new FileFormatException(file, what + ": shape " + str(shape) + " has more than 2^63 elements");
      }
    }
    Object off = m.get("data_offsets");
    if (!(off instanceof List) || ((List<?>) off).size() != 2
        || !(((List<?>) off).get(0) instanceof Long) || !(((List<?>) off).get(1) instanceof Long)
        || (Long) ((List<?>) off).get(0) < 0 || (Long) ((List<?>) off).get(1) < 0) {
      throw new FileFormatException(file, what + ": data_offsets " + show(off)
          + " is not a list of two non-negative integers [begin, end]");
    }
    long begin = (Long) ((List<?>) off).get(0);
    long end = (Long) ((List<?>) off).get(1);
    String offs = "data_offsets [" + begin + ", " + end + "]";
    if (begin > end) {
      throw new FileFormatException(file, what + ": " + offs + " has begin > end");
    }
    if (end > dataLen) {
      throw new FileFormatException(file, what + ": " + offs + " ends beyond the " + dataLen
          + "-byte data buffer (file offset " + dataStart + " + " + end + " > file size "
          + (dataStart + dataLen) + "; file truncated?)");
    }
    BigInteger need = BigInteger.valueOf(numel).multiply(BigInteger.valueOf(dtype.byteSize()));
    if (!need.equals(BigInteger.valueOf(end - begin))) {
      throw new FileFormatException(file, what + ": " + offs + " span " + (end - begin) + " bytes but dtype "
          + dtype + " (" + dtype.byteSize() + " bytes) x shape " + str(shape) + " (" + numel
          + " elements) needs " + need + " bytes");
    }
    return new SafeTensorsFile.Entry(name, dtype, shape, numel, begin, end);
  }

  /** JSON text of a parsed value for messages (non-finite numbers as Java prints them). */
  private static String show(Object v) {
    try {
      return Json.write(v);
    } catch (IllegalArgumentException e) {
      return String.valueOf(v);
    }
  }

  /** The tensors must tile the data buffer exactly: from 0, back to back, to its end. */
  private static void checkCoverage(Path file, Map<String, SafeTensorsFile.Entry> entries, long dataLen,
      long dataStart) throws FileFormatException {
    List<SafeTensorsFile.Entry> sorted = new ArrayList<>(entries.values());
    sorted.sort(Comparator.<SafeTensorsFile.Entry>comparingLong(e -> e.begin).thenComparingLong(e -> e.end));
    long expected = 0;
    SafeTensorsFile.Entry prev = null;
    for (SafeTensorsFile.Entry e : sorted) {
      if (e.begin < expected) {
        throw new FileFormatException(file, "tensor \"" + e.name + "\" at data_offsets [" + e.begin + ", "
            + e.end + "] overlaps tensor \"" + prev.name + "\" at [" + prev.begin + ", " + prev.end + "]");
      }
      if (e.begin > expected) {
        throw new FileFormatException(file, "gap in the data buffer: bytes [" + expected + ", " + e.begin
            + ") (file offsets " + (dataStart + expected) + ".." + (dataStart + e.begin)
            + ") belong to no tensor, before tensor \"" + e.name + "\"");
      }
      expected = e.end;
      prev = e;
    }
    if (expected != dataLen) {
      throw new FileFormatException(file, "the data buffer has " + (dataLen - expected)
          + " bytes after the last tensor: the tensors end at data offset " + expected + " but the buffer is "
          + dataLen + " bytes (file size " + (dataStart + dataLen) + ")");
    }
  }

  private static String typeName(Object v) {
    if (v == null) {
      return "null";
    } else if (v instanceof Map) {
      return "object";
    } else if (v instanceof List) {
      return "array";
    } else if (v instanceof String) {
      return "string";
    } else if (v instanceof Boolean) {
      return "boolean";
    }
    return "number";
  }

  /** The number of UTF-8 bytes in the first {@code chars} characters of {@code s}. */
  static long utf8Length(String s, int chars) {
    long n = 0;
    for (int i = 0; i < chars && i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  static String str(int[] shape) {
    return Arrays.toString(shape);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes tensors as {@code F32}, or {@code I64} for {@link DType#INT64} tensors, atomically.
   *
   * <p>Same as {@link #write(Path, Map, Map, Map)} with no dtype overrides.
   *
   * @param file the target; replaced atomically if it exists
   * @param tensors name to tensor; any map order
   * @param metadata the {@code __metadata__} strings, or null/empty for none
   * @throws IOException if writing fails; the target is then unchanged
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    write(file, tensors, metadata, Map.of());
  }

  /**
   * Writes tensors with chosen element types, atomically.
   *
   * <p>Tensors are stored sorted by name (Unicode code point order, the order of the fixture files), back
   * to back without gaps; the header lists them in that order with {@code __metadata__} last, is written
   * compactly and padded with spaces to a multiple of 8 bytes. (The format allows any order; the
   * reference Rust serializer groups by dtype first.) A tensor's type is {@code dtypes.get(name)} if
   * present, else {@code F32} for {@link DType#FLOAT32} and {@code I64} for {@link DType#INT64} tensors.
   * Float targets round to nearest even ({@code F16} overflows to infinity); integer and {@code BOOL}
   * targets require every value to be an integer in range (0 or 1 for {@code BOOL}).
   *
   * <p>The bytes go to a temporary file in the same directory, which is forced to disk and then renamed
   * over {@code file} (with {@code ATOMIC_MOVE}, or a plain replace where the file system cannot), so a
   * crash or a failed conversion never leaves a partial file under the real name.
   *
   * @param file the target; replaced atomically if it exists
   * @param tensors name to tensor; names must not be {@code "__metadata__"}
   * @param metadata the {@code __metadata__} strings, or null/empty for none
   * @param dtypes per-name element types overriding the default; every key must be a tensor name; the
   *     8-bit float types cannot be written
   * @throws IllegalArgumentException on a bad name, a dtype for an unknown name, an unwritable dtype, or a
   *     value that the chosen dtype cannot hold (the message names the tensor, index and value)
   * @throws IOException if writing fails; the target is then unchanged
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata,
      Map<String, SafeTensorsDType> dtypes) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(tensors, "tensors");
    Objects.requireNonNull(dtypes, "dtypes");
    Map<String, String> meta = metadata == null ? Map.of() : metadata;
    for (String k : dtypes.keySet()) {
      if (!tensors.containsKey(k)) {
        throw new IllegalArgumentException("write " + file + ": a dtype is given for \"" + k
            + "\", which is not among the tensors " + tensors.keySet());
      }
    }
    CharsetEncoder strict = StandardCharsets.UTF_8.newEncoder();
    List<String> names = new ArrayList<>(tensors.keySet());
    for (String name : names) {
      if (name == null || name.equals(METADATA_KEY) || !strict.canEncode(name)) {
        throw new IllegalArgumentException("write " + file + ": invalid tensor name "
            + (name == null ? "null" : "\"" + name + "\"") + " (reserved or not valid Unicode)");
      }
      Objects.requireNonNull(tensors.get(name), () -> "tensor \"" + name + "\" is null");
      SafeTensorsDType dt = dtypes.get(name);
      if (dt == SafeTensorsDType.F8_E4M3 || dt == SafeTensorsDType.F8_E5M2) {
        throw new IllegalArgumentException("write " + file + ": tensor \"" + name + "\": writing " + dt
            + " is not supported");
      }
    }
    for (Map.Entry<String, String> kv : meta.entrySet()) {
      if (kv.getKey() == null || kv.getValue() == null || !strict.canEncode(kv.getKey())
          || !strict.canEncode(kv.getValue())) {
        throw new IllegalArgumentException("write " + file + ": invalid metadata entry " + kv.getKey()
            + "=" + kv.getValue());
      }
    }
    names.sort(SafeTensors::compareCodePoints);

    List<SafeTensorsDType> types = new ArrayList<>();
    Map<String, Object> header = new LinkedHashMap<>();
    long offset = 0;
    for (String name : names) {
      Tensor t = tensors.get(name);
      SafeTensorsDType dt = dtypes.getOrDefault(name,
          t.dtype() == DType.INT64 ? SafeTensorsDType.I64 : SafeTensorsDType.F32);
      types.add(dt);
      long len = (long) t.numel() * dt.byteSize();
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("dtype", dt.name());
      List<Object> shape = new ArrayList<>();
      for (int s : t.shape()) {
        shape.add((long) s);
      }
      info.put("shape", shape);
      info.put("data_offsets", List.of(offset, offset + len));
      header.put(name, info);
      offset += len;
    }
    if (!meta.isEmpty()) {
      header.put(METADATA_KEY, new LinkedHashMap<>(meta));
    }
    byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();

    AtomicWrite.write(file, ch -> {
      while (head.hasRemaining()) {
        ch.write(head);
      }
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        Elements.write(ch, tensors.get(name).toFloatArray(), types.get(i), "tensor \"" + name + "\"");
      }
    });
  }

  /** Orders strings by Unicode code points, which is the UTF-8 byte order. */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
