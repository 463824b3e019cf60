package io.github.resnet4j.data;

/**
 * A parsed IDX file: element type code, dimensions and the raw big-endian payload.
 *
 * @param source the file name, for messages
 * @param gzip whether the file was gzip-compressed (offsets then count decompressed bytes)
 * @param type the IDX type code, e.g. {@code 0x08} for unsigned bytes
 * @param dims the dimensions, each positive
 * @param payload the elements, {@code product(dims) * elementSize(type)} bytes
 */
record Idx(String source, boolean gzip, int type, int[] dims, byte[] payload) {
  static final int UBYTE = 0x08;
  static final int BYTE = 0x09;
  static final int SHORT = 0x0B;
  static final int INT = 0x0C;
  static final int FLOAT = 0x0D;
  static final int DOUBLE = 0x0E;

  /** Bytes per element of an IDX type code; 0 for an unknown code. */
  static int elementSize(int type) {
    return switch (type) {
      case UBYTE, BYTE -> 1;
      case SHORT -> 2;
      case INT, FLOAT -> 4;
      case DOUBLE -> 8;
      default -> 0;
    };
  }

  /** A readable name for an IDX type code. */
  static String typeName(int type) {
    return switch (type) {
      case UBYTE -> "unsigned byte";
      case BYTE -> "signed byte";
      case SHORT -> "short";
      case INT -> "int";
      case FLOAT -> "float";
      case DOUBLE -> "double";
      default -> String.format("unknown type 0x%02X", type);
    };
  }

  /** The offset of the first payload byte: 4 magic bytes plus 4 per dimension. */
  long payloadOffset() {
    return 4L + 4L * dims.length;
  }
}
