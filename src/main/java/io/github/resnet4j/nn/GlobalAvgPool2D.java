package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Tensor;

/** Mean over height and width: [N, C, H, W] to [N, C] (Keras GlobalAveragePooling2D). */
public final class GlobalAvgPool2D extends Module {
  /** Creates the layer. */
  public GlobalAvgPool2D() {}

  @Override
  protected Tensor compute(Tensor x) {
    return Functional.globalAvgPool2d(x);
  }
}
