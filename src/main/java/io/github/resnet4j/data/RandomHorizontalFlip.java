package io.github.resnet4j.data;

import io.github.resnet4j.tensor.Generator;

/**
 * Mirrors the image left to right with probability {@code p}: {@code out[c, y, x] = in[c, y, W - 1 - x]}.
 *
 * <p>Draws one float per example, flipping when it is below {@code p}.
 *
 * <pre>{@code
 * Transform flip = new RandomHorizontalFlip(0.5);
 * }</pre>
 */
public final class RandomHorizontalFlip implements Transform {
  private final double p;

  /**
   * Creates the transform.
   *
   * @param p the flip probability, in [0, 1]
   * @throws IllegalArgumentException if {@code p} is out of range
   */
  public RandomHorizontalFlip(double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("RandomHorizontalFlip: p must be in [0, 1], got " + p);
    }
    this.p = p;
  }

  @Override
  public Example apply(Example x, Generator gen) {
    if (!(gen.nextFloat() < p)) {
      return x;
    }
    float[] in = x.image();
    float[] out = new float[in.length];
    int w = x.width();
    for (int row = 0; row < in.length; row += w) {
      for (int i = 0; i < w; i++) {
        out[row + i] = in[row + w - 1 - i];
      }
    }
    return x.withImage(out, x.shape());
  }
}
