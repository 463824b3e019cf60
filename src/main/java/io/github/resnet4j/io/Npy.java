package io.github.resnet4j.io;

import io.github.resnet4j.tensor.DType;
import io.github.resnet4j.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes NumPy {@code .npy} files (one array per file), as {@code numpy.save}/{@code numpy.load}
 * do.
 *
 * <p>The format: the magic {@code \x93NUMPY}, a version byte pair, the header length (2 bytes little-endian
 * in version 1.0, 4 bytes in 2.0 and 3.0), a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} padded with spaces and ended by a
 * newline so that the data starts at a multiple of 64, then the raw elements.
 *
 * <p>Reading accepts versions 1.0, 2.0 and 3.0, C order only, and the little-endian (or byte-order free)
 * dtypes {@code <f2 <f4 <f8 |i1 <i2 <i4 <i8 |u1 <u2 <u4 <u8 |b1}. {@code <i8} arrays become
 * {@link DType#INT64} tensors; every integer must be at most 2<sup>24</sup> in magnitude. Everything else
 * (Fortran order, big-endian, object, string or structured dtypes, a bad magic, a truncated file, extra
 * bytes after the data) is a {@link FileFormatException} naming the file and, for header problems, quoting
 * the header text.
 *
 * <pre>{@code
 * Tensor x = Npy.read(Path.of("images.npy"));     // e.g. [N, C, H, W]
 * Npy.write(Path.of("out.npy"), x);                // '<f4', version 1.0
 * }</pre>
 */
public final class Npy {
  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** Header lengths above this are rejected before allocation (NumPy itself stops at 10 000 by default). */
  static final int MAX_HEADER_BYTES = 1 << 20;
  private static final int ALIGN = 64;
  /** NumPy leaves this many digits of room for the first dimension to grow in place. */
  private static final int GROWTH_AXIS_MAX_DIGITS = 21;
  private static final int MAX_RANK = 8;

  private Npy() {}

  /**
   * Reads one array.
   *
   * @param file the .npy file
   * @return a new float32 tensor with the array's shape ({@link DType#INT64}-tagged for {@code <i8})
   * @throws FileFormatException if the file is malformed or holds an unsupported array (see the class
   *     comment)
   * @throws IOException if the file cannot be read
   */
  public static Tensor read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
      if (size < 10) {
        throw new FileFormatException(file, "the file is " + size
            + " bytes, too short for a .npy preamble (magic, version and header length: 10 bytes)");
      }
      pre.limit((int) Math.min(12, size));
      fill(ch, pre);
      for (int i = 0; i < MAGIC.length; i++) {
        if (pre.get(i) != MAGIC[i]) {
          throw new FileFormatException(file, "bad magic: the file starts with " + hex(pre, 6)
              + ", not 93 4e 55 4d 50 59 (\"\\x93NUMPY\")");
        }
      }
      int major = pre.get(6) & 0xff;
      int minor = pre.get(7) & 0xff;
      long headerLen;
      int headerStart;
      if (major == 1 && minor == 0) {
        headerLen = pre.getShort(8) & 0xffff;
        headerStart = 10;
      } else if ((major == 2 || major == 3) && minor == 0) {
        if (size < 12) {
          throw new FileFormatException(file, "the file is " + size + " bytes, too short for a version "
              + major + ".0 preamble (12 bytes)");
        }
        headerLen = pre.getInt(8) & 0xffffffffL;
        headerStart = 12;
      } else {
        throw new FileFormatException(file, "unsupported .npy format version " + major + "." + minor
            + " (supported: 1.0, 2.0, 3.0)");
      }
      if (headerStart + headerLen > size) {
        throw new FileFormatException(file, "the header length " + headerLen + " (at byte 8) runs past the end"
            + " of the file: " + headerStart + " + " + headerLen + " > file size " + size);
      }
      if (headerLen > MAX_HEADER_BYTES) {
        throw new FileFormatException(file, "the header length " + headerLen + " is absurd: more than "
            + MAX_HEADER_BYTES + " bytes");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
      ch.position(headerStart);
      fill(ch, hb);
      String header;
      if (major == 3) {
        try {
          header = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT).decode(hb).toString();
        } catch (CharacterCodingException e) {
          throw new FileFormatException(file, "the version 3.0 header is not valid UTF-8", e);
        }
      } else {
        header = StandardCharsets.ISO_8859_1.decode(hb).toString();
      }
      long dataStart = headerStart + headerLen;
      Header h = parseHeader(file, header);
      long need = h.numel * h.type.byteSize();
      long have = size - dataStart;
      if (have < need) {
        throw new FileFormatException(file, "truncated: shape " + h.shapeText + " of '" + h.descr + "' needs "
            + need + " data bytes but the file has only " + have + " after the " + dataStart
            + "-byte header (file size " + size + ", expected " + (dataStart + need) + ")");
      }
      if (have > need) {
        throw new FileFormatException(file, (have - need) + " unexpected bytes after the data: shape "
            + h.shapeText + " of '" + h.descr + "' needs " + need + " data bytes, the file has " + have
            + " after the " + dataStart + "-byte header");
      }
      if (h.shape.length > MAX_RANK) {
        throw new FileFormatException(file, "rank " + h.shape.length + " (shape " + h.shapeText
            + ") exceeds the maximum tensor rank " + MAX_RANK);
      }
      if (h.numel > Integer.MAX_VALUE - 8) {
        throw new FileFormatException(file, "shape " + h.shapeText + " has " + h.numel
            + " elements, more than a Java array can hold");
      }
      String what = "array '" + h.descr + "' " + h.shapeText;
      if (h.type == SafeTensorsDType.I64) {
        long[] v = new long[(int) h.numel];
        Elements.readLongs(ch, dataStart, v, file, what);
        return Tensor.ofLongs(v, h.shape);
      }
      float[] v = new float[(int) h.numel];
      Elements.readFloats(ch, dataStart, h.type, v, file, what);
      return Tensor.of(v, h.shape);
    }
  }

  private static void fill(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
    b.flip();
  }

  private static String hex(ByteBuffer b, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n && i < b.limit(); i++) {
      if (i > 0) {
        s.append(' ');
      }
      s.append(String.format("%02x", b.get(i) & 0xff));
    }
    return s.toString();
  }

  /** The parsed, validated header dict. */
  private static final class Header {
    String descr;
    SafeTensorsDType type;
    int[] shape;
    String shapeText;
    long numel;
  }

  private static Header parseHeader(Path file, String header) throws FileFormatException {
    String quoted = "header " + header.strip();
    Object d;
    try {
      d = PyLiteral.parse(header);
    } catch (PyLiteral.ParseException e) {
      throw new FileFormatException(file, "malformed header: " + e.getMessage() + "; " + quoted);
    }
    if (!(d instanceof Map)) {
      throw new FileFormatException(file, "the header is not a dict; " + quoted);
    }
    Map<?, ?> m = (Map<?, ?>) d;
    if (!m.keySet().equals(Set.of("descr", "fortran_order", "shape"))) {
      throw new FileFormatException(file, "the header must have exactly the keys 'descr', 'fortran_order'"
          + " and 'shape', but has " + m.keySet() + "; " + quoted);
    }
    Object fo = m.get("fortran_order");
    if (!(fo instanceof Boolean)) {
      throw new FileFormatException(file, "'fortran_order' is not True or False; " + quoted);
    }
    Header h = new Header();
    Object shape = m.get("shape");
    if (!(shape instanceof PyLiteral.Tuple)) {
      throw new FileFormatException(file, "'shape' is not a tuple of integers; " + quoted);
    }
    List<?> sl = (List<?>) shape;
    h.shape = new int[sl.size()];
    h.numel = 1;
    for (int i = 0; i < h.shape.length; i++) {
      Object x = sl.get(i);
      if (!(x instanceof Long) || (Long) x < 0 || (Long) x > Integer.MAX_VALUE) {
        throw new FileFormatException(file, "'shape' has " + x + " at position " + i
            + ", not a non-negative integer up to " + Integer.MAX_VALUE + "; " + quoted);
      }
      h.shape[i] = (int) (long) (Long) x;
      h.numel = h.numel * h.shape[i];
      if (h.numel > Long.MAX_VALUE / 16) {
        throw new FileFormatException(file, "'shape' has too many elements; " + quoted);
      }
    }
    h.shapeText = tupleRepr(h.shape);
    Object descr = m.get("descr");
    if (!(descr instanceof String)) {
      throw new FileFormatException(file, "structured dtypes (a list of fields as 'descr') are not"
          + " supported, only plain numeric dtypes; " + quoted);
    }
    h.descr = (String) descr;
    h.type = dtype(file, h.descr, quoted);
    if ((Boolean) fo) {
      throw new FileFormatException(file, "Fortran-order (column-major) arrays are not supported, only C"
          + " order; save with numpy.ascontiguousarray first; " + quoted);
    }
    return h;
  }

  private static SafeTensorsDType dtype(Path file, String descr, String quoted) throws FileFormatException {
    if (descr.length() < 2) {
      throw new FileFormatException(file, "unsupported dtype '" + descr + "'; " + quoted);
    }
    char order = descr.charAt(0);
    String code = "<>|=".indexOf(order) >= 0 ? descr.substring(1) : descr;
    if (code.startsWith("O")) {
      throw new FileFormatException(file, "object arrays (dtype '" + descr + "', pickled Python objects) are"
          + " not supported; " + quoted);
    }
    SafeTensorsDType t;
    switch (code) {
      case "f2": t = SafeTensorsDType.F16; break;
      case "f4": t = SafeTensorsDType.F32; break;
      case "f8": t = SafeTensorsDType.F64; break;
      case "i1": t = SafeTensorsDType.I8; break;
      case "i2": t = SafeTensorsDType.I16; break;
      case "i4": t = SafeTensorsDType.I32; break;
      case "i8": t = SafeTensorsDType.I64; break;
      case "u1": t = SafeTensorsDType.U8; break;
      case "u2": t = SafeTensorsDType.U16; break;
      case "u4": t = SafeTensorsDType.U32; break;
      case "u8": t = SafeTensorsDType.U64; break;
      case "b1": t = SafeTensorsDType.BOOL; break;
      default:
        throw new FileFormatException(file, "unsupported dtype '" + descr + "' (supported: f2 f4 f8 i1 i2 i4"
            + " i8 u1 u2 u4 u8 b1, little-endian); " + quoted);
    }
    if (t.byteSize() > 1 && order != '<') {
      throw new FileFormatException(file, (order == '>' ? "big-endian" : "byte order '" + order + "' of")
          + " dtype '" + descr + "' is not supported, only little-endian '<'; " + quoted);
    }
    if (t.byteSize() == 1 && order != '|' && order != '<' && order != '>') {
      throw new FileFormatException(file, "malformed dtype '" + descr + "'; " + quoted);
    }
    return t;
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes one array as {@code numpy.save} would: format version 1.0 (2.0 if the header needs more than
   * 65535 bytes), C order, {@code '<f4'}, or {@code '<i8'} for {@link DType#INT64} tensors. The header
   * bytes are identical to NumPy's, including its padding. The file is written to a temporary sibling and
   * renamed into place atomically, so a failure leaves any existing file untouched.
   *
   * @param file the target; replaced if it exists
   * @param tensor the array, any shape, e.g. {@code [N, C, H, W]}
   * @throws IOException if writing fails
   */
  public static void write(Path file, Tensor tensor) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(tensor, "tensor");
    SafeTensorsDType type = tensor.dtype() == DType.INT64 ? SafeTensorsDType.I64 : SafeTensorsDType.F32;
    byte[] head = header(type == SafeTensorsDType.I64 ? "<i8" : "<f4", tensor.shape());
    float[] values = tensor.toFloatArray();
    AtomicWrite.write(file, ch -> {
      ByteBuffer hb = ByteBuffer.wrap(head);
      while (hb.hasRemaining()) {
        ch.write(hb);
      }
      Elements.write(ch, values, type, "array");
    });
  }

  /** The complete preamble and header for a C-order array, exactly as NumPy writes it. */
  static byte[] header(String descr, int[] shape) {
    StringBuilder d = new StringBuilder();
    d.append("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': ")
        .append(tupleRepr(shape)).append(", }");
    if (shape.length > 0) {
      d.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
    }
    int hlen = d.length() + 1;
    int pad = ALIGN - ((10 + hlen) % ALIGN);
    int version = hlen + pad <= 0xffff ? 1 : 2;
    int prefix = version == 1 ? 10 : 12;
    if (version == 2) {
      pad = ALIGN - ((prefix + hlen) % ALIGN);
    }
    ByteBuffer b = ByteBuffer.allocate(prefix + hlen + pad).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) version).put((byte) 0);
    if (version == 1) {
      b.putShort((short) (hlen + pad));
    } else {
      b.putInt(hlen + pad);
    }
    b.put(d.toString().getBytes(StandardCharsets.ISO_8859_1));
    for (int i = 0; i < pad; i++) {
      b.put((byte) ' ');
    }
    b.put((byte) '\n');
    return b.array();
  }

  /** Python's repr of a tuple of ints: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
  static String tupleRepr(int[] shape) {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        s.append(", ");
      }
      s.append(shape[i]);
    }
    if (shape.length == 1) {
      s.append(',');
    }
    return s.append(')').toString();
  }
}
