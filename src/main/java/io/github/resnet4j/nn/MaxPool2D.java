package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Tensor;

/**
 * Max pooling over [N, C, H, W] with a square window (torch.nn.MaxPool2d, floor mode): output size
 * {@code (in + 2*padding - kernel) / stride + 1}; padding counts as -infinity.
 */
public final class MaxPool2D extends Pool2D {
  /**
   * Non-overlapping windows: stride = kernel, no padding.
   *
   * @param kernel window size
   */
  public MaxPool2D(int kernel) {
    this(kernel, kernel, 0);
  }

  /**
   * General pooling, e.g. ResNet's stem {@code new MaxPool2D(3, 2, 1)}.
   *
   * @param kernel window size
   * @param stride step
   * @param padding implicit padding per side, at most kernel / 2
   */
  public MaxPool2D(int kernel, int stride, int padding) {
    super("MaxPool2D", kernel, stride, padding);
  }

  @Override
  protected Tensor compute(Tensor x) {
    return Functional.maxPool2d(x, kernel, stride, padding);
  }
}
