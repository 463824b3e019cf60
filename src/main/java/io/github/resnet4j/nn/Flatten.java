package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.Tensor;

/** [N, d1, d2, ...] to [N, d1*d2*...], as torch.nn.Flatten. */
public final class Flatten extends Module {
  /** Creates the layer. */
  public Flatten() {}

  @Override
  protected Tensor compute(Tensor x) {
    if (x.dim() < 1) {
      throw new IllegalArgumentException("Flatten: input must have a batch dimension, got a 0-d tensor");
    }
    return x.dim() == 1 ? x.reshape(x.size(0), 1) : x.flatten(1);
  }
}
