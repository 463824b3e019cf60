package io.github.resnet4j.data;

import java.io.IOException;

/**
 * A data file is truncated, corrupt or not in the expected format.
 *
 * <p>The message names the file and the byte offset of the problem, e.g.
 * {@code "train-images-idx3-ubyte.gz: byte 16 of the decompressed stream: ..."}. For a gzip file the
 * offset counts bytes of the decompressed stream, which is what the format's offsets refer to; otherwise
 * it counts bytes of the file.
 *
 * <p>Not to be confused with {@code java.util.zip.DataFormatException}.
 */
public final class DataFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The file or resource name. */
  private final String source;
  /** The byte offset of the problem. */
  private final long offset;

  DataFormatException(String source, long offset, boolean decompressed, String problem, Throwable cause) {
    super(source + ": byte " + offset + (decompressed ? " of the decompressed stream" : "") + ": " + problem,
        cause);
    this.source = source;
    this.offset = offset;
  }

  DataFormatException(String source, long offset, boolean decompressed, String problem) {
    this(source, offset, decompressed, problem, null);
  }

  /**
   * The file (or class-path resource) the problem is in.
   *
   * @return its name as given to the reader
   */
  public String source() {
    return source;
  }

  /**
   * Where the problem is.
   *
   * @return the byte offset, in the decompressed stream for gzip files
   */
  public long offset() {
    return offset;
  }
}
