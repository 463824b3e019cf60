package io.github.resnet4j.train;

/**
 * Stops when the validation accuracy (or, without validation data, the training loss) has not improved
 * for {@code patience} epochs.
 */
public final class EarlyStopping implements Callback {
  private final int patience;
  private double best = Double.NEGATIVE_INFINITY;
  private int waited;

  /**
   * Creates the callback.
   *
   * @param patience epochs without improvement before stopping, positive
   */
  public EarlyStopping(int patience) {
    if (patience < 1) {
      throw new IllegalArgumentException("EarlyStopping: patience must be positive, got " + patience);
    }
    this.patience = patience;
  }

  static double score(EpochStats s) {
    return Double.isNaN(s.valAccuracy()) ? -s.loss() : s.valAccuracy();
  }

  @Override
  public boolean onEpochEnd(EpochStats stats, Trainer trainer) {
    double score = score(stats);
    if (score > best) {
      best = score;
      waited = 0;
      return false;
    }
    return ++waited >= patience;
  }
}
