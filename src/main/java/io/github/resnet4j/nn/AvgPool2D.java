package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Tensor;

/**
 * Average pooling over [N, C, H, W] with a square window (torch.nn.AvgPool2d, floor mode, zero padding
 * counted in the divisor as PyTorch's default).
 */
public final class AvgPool2D extends Pool2D {
  /**
   * Non-overlapping windows: stride = kernel, no padding.
   *
   * @param kernel window size
   */
  public AvgPool2D(int kernel) {
    this(kernel, kernel, 0);
  }

  /**
   * General pooling.
   *
   * @param kernel window size
   * @param stride step
   * @param padding zero padding per side, at most kernel / 2
   */
  public AvgPool2D(int kernel, int stride, int padding) {
    super("AvgPool2D", kernel, stride, padding);
  }

  @Override
  protected Tensor compute(Tensor x) {
    return Functional.avgPool2d(x, kernel, stride, padding, true);
  }
}
