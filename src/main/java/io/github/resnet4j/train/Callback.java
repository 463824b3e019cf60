package io.github.resnet4j.train;

import java.io.IOException;

/** Called by {@link Trainer#fit} after each epoch; may save state or stop training. */
@FunctionalInterface
public interface Callback {
  /**
   * Reacts to a finished epoch.
   *
   * @param stats the epoch's measurements
   * @param trainer the trainer, e.g. to save a checkpoint
   * @return true to stop training after this epoch
   * @throws IOException if writing fails
   */
  boolean onEpochEnd(EpochStats stats, Trainer trainer) throws IOException;
}
