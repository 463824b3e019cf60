package io.github.resnet4j.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors or .npy file that is malformed, truncated, or holds something this package cannot
 * represent (an unknown dtype, Fortran order, integers beyond 2<sup>24</sup>, ...).
 *
 * <p>The message always starts with the file, then names the problem with the byte offsets or values
 * involved, for example {@code "model.safetensors: tensor \"fc.weight\": data_offsets [0, 5120] end beyond
 * the 4096-byte data buffer (file offset 8 + 128 + 5120)"}.
 */
public class FileFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The file, as given to the reader. */
  private final transient Path file;
  /** The problem without the file name. */
  private final String problem;

  FileFormatException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
    this.problem = problem;
  }

  FileFormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
    this.problem = problem;
  }

  /**
   * The file that failed to read.
   *
   * @return the path as passed to the reader
   */
  public Path file() {
    return file;
  }

  /**
   * The problem without the file name.
   *
   * @return the description of what is wrong
   */
  public String problem() {
    return problem;
  }
}
