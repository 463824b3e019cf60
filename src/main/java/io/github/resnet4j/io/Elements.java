package io.github.resnet4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * Conversion of little-endian element bytes to and from float32, shared by the safetensors and .npy
 * readers and writers. Data moves through a bounded chunk buffer so that large tensors never need a
 * second full-size byte copy.
 */
final class Elements {
  /** Integers beyond this magnitude are not exactly representable in float32. */
  static final long MAX_EXACT = 1L << 24;
  private static final int CHUNK = 1 << 20;

  private Elements() {}

  // ---------------------------------------------------------------- reading

  /**
   * Reads {@code out.length} elements of {@code type} starting at file position {@code pos}.
   *
   * @param what how to name the array in messages, e.g. {@code tensor "fc.weight"}
   * @throws FileFormatException if the file ends early or a value cannot be held (see the class comment of
   *     {@link SafeTensorsDType})
   */
  static void readFloats(FileChannel ch, long pos, SafeTensorsDType type, float[] out, Path file,
      String what) throws IOException {
    int size = type.byteSize();
    ByteBuffer buf = chunk(out.length, size);
    int done = 0;
    while (done < out.length) {
      int n = Math.min(out.length - done, buf.capacity() / size);
      fill(ch, buf, pos + (long) done * size, n * size, file, what);
      decode(buf, type, out, done, n, file, what);
      done += n;
    }
  }

  /**
   * Reads {@code out.length} signed 64-bit little-endian integers (values checked to be within
   * 2<sup>24</sup>).
   */
  static void readLongs(FileChannel ch, long pos, long[] out, Path file, String what)
      throws IOException {
    ByteBuffer buf = chunk(out.length, 8);
    int done = 0;
    while (done < out.length) {
      int n = Math.min(out.length - done, buf.capacity() / 8);
      fill(ch, buf, pos + (long) done * 8, n * 8, file, what);
      for (int i = 0; i < n; i++) {
        long v = buf.getLong();
        checkExact(v, done + i, SafeTensorsDType.I64, file, what);
        out[done + i] = v;
      }
      done += n;
    }
  }

  private static ByteBuffer chunk(int count, int size) {
    long bytes = Math.max(1, Math.min((long) count * size, CHUNK));
    return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Reads exactly {@code len} bytes at {@code pos} into {@code buf}, flipped for reading. */
  private static void fill(FileChannel ch, ByteBuffer buf, long pos, int len, Path file, String what)
      throws IOException {
    buf.clear().limit(len);
    long p = pos;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, p);
      if (r < 0) {
        throw new FileFormatException(file, what + ": the file ends at byte " + p + " but the data needs "
            + (pos + len) + " bytes (file truncated or changed while reading)");
      }
      p += r;
    }
    buf.flip();
  }

  private static void decode(ByteBuffer b, SafeTensorsDType type, float[] out, int off, int n,
      Path file, String what) throws FileFormatException {
    switch (type) {
      case F32:
        b.asFloatBuffer().get(out, off, n);
        break;
      case F64:
        for (int i = 0; i < n; i++) {
          out[off + i] = (float) b.getDouble();
        }
        break;
      case F16:
        for (int i = 0; i < n; i++) {
          out[off + i] = halfToFloat(b.getShort() & 0xffff);
        }
        break;
      case BF16:
        for (int i = 0; i < n; i++) {
          out[off + i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
        }
        break;
      case F8_E5M2:
        for (int i = 0; i < n; i++) {
          out[off + i] = halfToFloat((b.get() & 0xff) << 8);
        }
        break;
      case F8_E4M3:
        for (int i = 0; i < n; i++) {
          out[off + i] = e4m3ToFloat(b.get() & 0xff);
        }
        break;
      case BOOL:
        for (int i = 0; i < n; i++) {
          int v = b.get() & 0xff;
          if (v > 1) {
            throw new FileFormatException(file, what + ": BOOL element " + (off + i) + " is the byte " + v
                + ", not 0 or 1");
          }
          out[off + i] = v;
        }
        break;
      case U8:
        for (int i = 0; i < n; i++) {
          out[off + i] = b.get() & 0xff;
        }
        break;
      case I8:
        for (int i = 0; i < n; i++) {
          out[off + i] = b.get();
        }
        break;
      case I16:
        for (int i = 0; i < n; i++) {
          out[off + i] = b.getShort();
        }
        break;
      case U16:
        for (int i = 0; i < n; i++) {
          out[off + i] = b.getShort() & 0xffff;
        }
        break;
      case I32:
        for (int i = 0; i < n; i++) {
          out[off + i] = checkExact(b.getInt(), off + i, type, file, what);
        }
        break;
      case U32:
        for (int i = 0; i < n; i++) {
          out[off + i] = checkExact(b.getInt() & 0xffffffffL, off + i, type, file, what);
        }
        break;
      case I64:
        for (int i = 0; i < n; i++) {
          out[off + i] = checkExact(b.getLong(), off + i, type, file, what);
        }
        break;
      case U64:
        for (int i = 0; i < n; i++) {
          long v = b.getLong();
          if (v < 0) {
            throw beyond(Long.toUnsignedString(v), off + i, type, file, what);
          }
          out[off + i] = checkExact(v, off + i, type, file, what);
        }
        break;
      default:
        throw new AssertionError(type);
    }
  }

  private static long checkExact(long v, int index, SafeTensorsDType type, Path file, String what)
      throws FileFormatException {
    if (v > MAX_EXACT || v < -MAX_EXACT) {
      throw beyond(Long.toString(v), index, type, file, what);
    }
    return v;
  }

  private static FileFormatException beyond(String v, int index, SafeTensorsDType type, Path file,
      String what) {
    return new FileFormatException(file, what + ": " + type + " value " + v + " at flat index " + index
        + " is beyond 2^24 = 16777216 in magnitude; float32 tensors cannot hold it exactly");
  }

  /** IEEE half (16 bits in the low half of {@code h}) to float, exactly. */
  static float halfToFloat(int h) {
    int sign = (h & 0x8000) << 16;
    int e = (h >>> 10) & 0x1f;
    int m = h & 0x3ff;
    if (e == 0) {
      float v = m * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    if (e == 31) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (m << 13));
    }
    return Float.intBitsToFloat(sign | ((e + 112) << 23) | (m << 13));
  }

  /** float8 e4m3fn (no infinities; S.1111.111 is NaN; bias 7) to float. */
  static float e4m3ToFloat(int b) {
    int e = (b >>> 3) & 0xf;
    int m = b & 7;
    float v;
    if (e == 15 && m == 7) {
      v = Float.NaN;
    } else if (e == 0) {
      v = m * 0x1p-9f;
    } else {
      v = (1 + m / 8f) * Math.scalb(1f, e - 7);
    }
    return (b & 0x80) != 0 ? -v : v;
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes {@code values} as little-endian elements of {@code type}.
   *
   * @throws IllegalArgumentException if a value does not fit the type (non-integral or out of range for
   *     an integer type, not 0/1 for BOOL); elements before it may already have been written
   */
  static void write(WritableByteChannel out, float[] values, SafeTensorsDType type, String what)
      throws IOException {
    int size = type.byteSize();
    ByteBuffer buf = chunk(values.length, size);
    int done = 0;
    while (done < values.length) {
      int n = Math.min(values.length - done, buf.capacity() / size);
      buf.clear();
      encode(buf, type, values, done, n, what);
      buf.flip();
      while (buf.hasRemaining()) {
        out.write(buf);
      }
      done += n;
    }
  }

  private static void encode(ByteBuffer b, SafeTensorsDType type, float[] v, int off, int n,
      String what) {
    switch (type) {
      case F32:
        b.asFloatBuffer().put(v, off, n);
        b.position(b.position() + 4 * n);
        break;
      case F64:
        for (int i = off; i < off + n; i++) {
          b.putDouble(v[i]);
        }
        break;
      case F16:
        for (int i = off; i < off + n; i++) {
          b.putShort((short) floatToHalf(v[i]));
        }
        break;
      case BF16:
        for (int i = off; i < off + n; i++) {
          b.putShort((short) floatToBfloat16(v[i]));
        }
        break;
      case BOOL:
        for (int i = off; i < off + n; i++) {
          if (v[i] != 0f && v[i] != 1f) {
            throw notRepresentable(v[i], i, type, what, "only 0 and 1 are booleans");
          }
          b.put((byte) (v[i] == 1f ? 1 : 0));
        }
        break;
      case U8:
      case I8:
      case I16:
      case U16:
      case I32:
      case U32:
        for (int i = off; i < off + n; i++) {
          long x = integral(v[i], i, type, what);
          if (size(type) == 1) {
            b.put((byte) x);
          } else if (size(type) == 2) {
            b.putShort((short) x);
          } else {
            b.putInt((int) x);
          }
        }
        break;
      case I64:
        for (int i = off; i < off + n; i++) {
          b.putLong(integral(v[i], i, type, what));
        }
        break;
      case U64:
        for (int i = off; i < off + n; i++) {
          float x = v[i];
          if (x >= 0x1p63f && x < 0x1p64f) {
            b.putLong((long) (x - 0x1p63f) ^ Long.MIN_VALUE);
          } else {
            b.putLong(integral(x, i, type, what));
          }
        }
        break;
      default:
        throw new IllegalArgumentException(what + ": writing " + type + " is not supported");
    }
  }

  private static int size(SafeTensorsDType t) {
    return t.byteSize();
  }

  /** The integer value of {@code x}, checked to be integral and in range for {@code type}. */
  private static long integral(float x, int index, SafeTensorsDType type, String what) {
    if (!Float.isFinite(x) || x != (float) Math.rint(x)) {
      throw notRepresentable(x, index, type, what, "not an integer");
    }
    double lo;
    double hi;
    switch (type) {
      case U8: lo = 0; hi = 255; break;
      case I8: lo = -128; hi = 127; break;
      case I16: lo = Short.MIN_VALUE; hi = Short.MAX_VALUE; break;
      case U16: lo = 0; hi = 65535; break;
      case I32: lo = Integer.MIN_VALUE; hi = Integer.MAX_VALUE; break;
      case U32: lo = 0; hi = 4294967295.0; break;
      case U64: lo = 0; hi = 0x1p63; break;
      default: lo = -0x1p63; hi = 0x1p63; break; // I64; (long) saturates, so exclude 2^63
    }
    if (x < lo || x > hi || ((type == SafeTensorsDType.I64 || type == SafeTensorsDType.U64) && x >= hi)) {
      throw notRepresentable(x, index, type, what, "out of range");
    }
    return (long) x;
  }

  private static IllegalArgumentException notRepresentable(float x, int index, SafeTensorsDType type,
      String what, String why) {
    return new IllegalArgumentException(what + ": value " + x + " at flat index " + index
        + " cannot be written as " + type + " (" + why + ")");
  }

  /** Float to IEEE half, rounding to nearest even; overflow gives infinity, NaN stays NaN. */
  static int floatToHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fffffff;
    if (abs >= 0x7f800000) {
      return abs == 0x7f800000 ? sign | 0x7c00 : sign | 0x7e00 | ((abs >>> 13) & 0x3ff);
    }
    if (abs >= 0x477ff000) { // >= 65520: rounds to infinity
      return sign | 0x7c00;
    }
    if (abs < 0x38800000) { // below 2^-14: a subnormal half (or zero); scaling by 2^24 is exact
      return sign | (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24);
    }
    int h = (((abs >>> 23) - 112) << 10) | ((abs >>> 13) & 0x3ff);
    int rem = abs & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) {
      h++;
    }
    return sign | h;
  }

  /** Float to bfloat16, rounding to nearest even; NaN stays a (quiet) NaN. */
  static int floatToBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (bits >>> 16) | 0x40;
    }
    return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
  }
}
