package io.github.resnet4j.tensor;

/**
 * Stride, zero padding (per side), dilation and groups of a 2-d convolution, as resolved for one input
 * size. Output height is {@code (H + padTop + padBottom - dilationH*(kH-1) - 1) / strideH + 1}, likewise
 * the width.
 *
 * @param strideH vertical stride, at least 1
 * @param strideW horizontal stride, at least 1
 * @param padTop zero rows above
 * @param padBottom zero rows below
 * @param padLeft zero columns on the left
 * @param padRight zero columns on the right
 * @param dilationH vertical dilation, at least 1
 * @param dilationW horizontal dilation, at least 1
 * @param groups channel groups; in and out channels must be divisible by it
 */
public record ConvSpec(int strideH, int strideW, int padTop, int padBottom, int padLeft, int padRight,
    int dilationH, int dilationW, int groups) {

  /** Validates the numbers. */
  public ConvSpec {
    if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || groups < 1) {
      throw new IllegalArgumentException("ConvSpec: stride (" + strideH + ", " + strideW + "), dilation ("
          + dilationH + ", " + dilationW + ") and groups " + groups + " must be at least 1");
    }
    if (padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0) {
      throw new IllegalArgumentException("ConvSpec: padding (top " + padTop + ", bottom " + padBottom + ", left "
          + padLeft + ", right " + padRight + ") must not be negative");
    }
  }

  /**
   * Stride s, symmetric padding p, no dilation, one group.
   *
   * @param stride the stride in both directions
   * @param padding zero padding on every side
   * @return the spec
   */
  public static ConvSpec of(int stride, int padding) {
    return new ConvSpec(stride, stride, padding, padding, padding, padding, 1, 1, 1);
  }

  /**
   * The output's height for an input {@code H} rows tall: {@code (H + padTop + padBottom - dilationH*(kH-1) - 1)
   * / strideH + 1}.
   *
   * @param inputHeight H, at least 0
   * @param kernelHeight kH, at least 1
   * @return the output height, at least 1
   * @throws IllegalArgumentException if the padded input is shorter than the dilated kernel
   */
  public int outputHeight(int inputHeight, int kernelHeight) {
    return outputSize("height", inputHeight, kernelHeight, padTop + padBottom, dilationH, strideH);
  }

  /**
   * The output's width for an input {@code W} columns wide: {@code (W + padLeft + padRight - dilationW*(kW-1) - 1)
   * / strideW + 1}.
   *
   * @param inputWidth W, at least 0
   * @param kernelWidth kW, at least 1
   * @return the output width, at least 1
   * @throws IllegalArgumentException if the padded input is narrower than the dilated kernel
   */
  public int outputWidth(int inputWidth, int kernelWidth) {
    return outputSize("width", inputWidth, kernelWidth, padLeft + padRight, dilationW, strideW);
  }

  private static int outputSize(String dim, int input, int kernel, int padding, int dilation, int stride) {
    if (input < 0 || kernel < 1) {
      throw new IllegalArgumentException("ConvSpec: input " + dim + " " + input + " must not be negative and kernel "
          + dim + " " + kernel + " must be at least 1");
    }
    long span = (long) dilation * (kernel - 1) + 1;
    long padded = (long) input + padding;
    if (padded < span) {
      throw new IllegalArgumentException("ConvSpec: input " + dim + " " + input + ", padded to " + padded
          + ", is smaller than the dilated kernel's " + span + " (kernel " + kernel + ", dilation " + dilation + ")");
    }
    return (int) ((padded - span) / stride + 1);
  }
}
