package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;

/**
 * Zeroes each element with probability p in training mode and scales the rest by 1/(1-p) (inverted
 * dropout, as PyTorch); the identity in eval mode. Masks come from the layer's own seeded generator,
 * registered as {@code mask} so that checkpoints carry its state.
 */
public final class Dropout extends Module {
  private final float p;
  private final Generator gen;

  /**
   * Creates the layer.
   *
   * @param p drop probability in [0, 1)
   * @param seed seed of the mask generator
   */
  public Dropout(float p, long seed) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
    }
    this.p = p;
    this.gen = registerGenerator("mask", new Generator(seed));
  }

  @Override
  protected Tensor compute(Tensor x) {
    return isTraining() ? Functional.dropout(x, p, gen) : x;
  }

  @Override
  protected String describe() {
    return "p=" + p;
  }
}
