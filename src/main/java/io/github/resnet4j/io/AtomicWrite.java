package io.github.resnet4j.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a file through a temporary sibling and a rename, so the target name only ever holds either the
 * old content or the complete new content.
 */
final class AtomicWrite {
  private static final Logger LOG = LoggerFactory.getLogger(AtomicWrite.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What to write into the open temporary file. */
  @FunctionalInterface
  interface Body {
    void writeTo(FileChannel out) throws IOException;
  }

  private AtomicWrite() {}

  /**
   * Writes {@code body} to a temporary file in the target's directory, forces it to disk and renames it
   * over {@code target}. If anything fails the temporary file is deleted and {@code target} is untouched.
   *
   * @param target the final file
   * @param body the writer; any exception it throws propagates after the clean-up
   * @throws IOException on I/O failure
   */
  static void write(Path target, Body body) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    // Not Files.createTempFile: that makes the file owner-only (0600) on POSIX, and the rename would
    // carry those permissions over to the saved file. CREATE_NEW uses the ordinary umask default.
    Path tmp;
    FileChannel ch;
    while (true) {
      String suffix = Long.toUnsignedString(RANDOM.nextLong(), 36);
      tmp = dir.resolve("." + abs.getFileName() + "." + suffix + ".tmp");
      try {
        ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        break;
      } catch (FileAlreadyExistsException e) {
        // another writer picked the same name: draw again
      }
    }
    boolean ok = false;
    try {
      try (FileChannel c = ch) {
        body.writeTo(c);
        c.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        LOG.debug("atomic move not supported for {}, falling back to a plain replace", abs);
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
      ok = true;
    } finally {
      if (!ok) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          LOG.warn("could not delete the temporary file {}", tmp, e);
        }
      }
    }
  }
}
