package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.Tensor;

/** max(x, 0) element-wise; any shape. */
public final class ReLU extends Module {
  /** Creates the activation. */
  public ReLU() {}

  @Override
  protected Tensor compute(Tensor x) {
    return x.relu();
  }
}
