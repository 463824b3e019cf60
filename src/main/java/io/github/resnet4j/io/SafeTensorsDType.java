package io.github.resnet4j.io;

/**
 * The element types of the safetensors format, named as in the file header ({@code "F32"}, {@code "I64"},
 * ...).
 *
 * <p>Every one of them can be read: values are converted to float32 (integers must be at most
 * 2<sup>24</sup> in magnitude, so that float32 holds them exactly). All except the 8-bit floats can be
 * written; see {@link SafeTensors#write(java.nio.file.Path, java.util.Map, java.util.Map, java.util.Map)}.
 */
public enum SafeTensorsDType {
  /** Boolean, one byte: 0 or 1. */
  BOOL(1, false),
  /** Unsigned 8-bit integer. */
  U8(1, false),
  /** Signed 8-bit integer. */
  I8(1, false),
  /** 8-bit float with 5 exponent and 2 mantissa bits (infinities and NaN as in IEEE). Read only. */
  F8_E5M2(1, true),
  /** 8-bit float with 4 exponent and 3 mantissa bits, finite-only "fn" variant (max 448). Read only. */
  F8_E4M3(1, true),
  /** Signed 16-bit integer. */
  I16(2, false),
  /** Unsigned 16-bit integer. */
  U16(2, false),
  /** IEEE-754 half precision. */
  F16(2, true),
  /** bfloat16: the upper 16 bits of a float32. */
  BF16(2, true),
  /** Signed 32-bit integer. */
  I32(4, false),
  /** Unsigned 32-bit integer. */
  U32(4, false),
  /** IEEE-754 single precision: how resnet4j writes {@code FLOAT32} tensors. */
  F32(4, true),
  /** IEEE-754 double precision. */
  F64(8, true),
  /** Signed 64-bit integer: how resnet4j writes {@code INT64} tensors. */
  I64(8, false),
  /** Unsigned 64-bit integer. */
  U64(8, false);

  private final int byteSize;
  private final boolean floating;

  SafeTensorsDType(int byteSize, boolean floating) {
    this.byteSize = byteSize;
    this.floating = floating;
  }

  /**
   * The size of one element.
   *
   * @return bytes per element, 1 to 8
   */
  public int byteSize() {
    return byteSize;
  }

  /**
   * Whether this is a floating-point type.
   *
   * @return true for the F* and BF16 types
   */
  public boolean isFloatingPoint() {
    return floating;
  }

  /** The constant named {@code name} exactly as in a header, or null. */
  static SafeTensorsDType fromHeader(String name) {
    for (SafeTensorsDType d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }
}
