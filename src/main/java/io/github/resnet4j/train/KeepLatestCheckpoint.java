package io.github.resnet4j.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a checkpoint after every epoch, so a run that is interrupted (a killed process, a full disk, the
 * end of a batch-system slot) loses at most the epoch in progress: {@link Trainer#loadCheckpoint} on the
 * file and {@link Trainer#fit} with the same total epoch count continue it exactly.
 */
public final class KeepLatestCheckpoint implements Callback {
  private final Path file;

  /**
   * Creates the callback.
   *
   * @param file where to write the checkpoint (replaced atomically, so an interruption while writing leaves
   *     the previous epoch's file)
   */
  public KeepLatestCheckpoint(Path file) {
    this.file = file;
  }

  @Override
  public boolean onEpochEnd(EpochStats stats, Trainer trainer) throws IOException {
    trainer.saveCheckpoint(file);
    return false;
  }
}
