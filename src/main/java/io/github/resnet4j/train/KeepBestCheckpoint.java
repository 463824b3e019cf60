package io.github.resnet4j.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a checkpoint whenever the validation accuracy (or, without validation data, the training loss)
 * improves, so the file always holds the best epoch so far.
 */
public final class KeepBestCheckpoint implements Callback {
  private final Path file;
  private double best = Double.NEGATIVE_INFINITY;

  /**
   * Creates the callback.
   *
   * @param file where to write the checkpoint (replaced atomically)
   */
  public KeepBestCheckpoint(Path file) {
    this.file = file;
  }

  @Override
  public boolean onEpochEnd(EpochStats stats, Trainer trainer) throws IOException {
    double score = EarlyStopping.score(stats);
    if (score > best) {
      best = score;
      trainer.saveCheckpoint(file);
    }
    return false;
  }
}
