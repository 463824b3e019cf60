package io.github.resnet4j.kernels;

/**
 * The shape of a 2-d convolution over NCHW float32 data, validated on construction.
 *
 * <p>Input {@code [n, inChannels, inH, inW]}, weight {@code [outChannels, inChannels / groups, kernelH,
 * kernelW]}, output {@code [n, outChannels, outH, outW]} with
 * {@code outH = (inH + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH + 1} (floor), and
 * likewise {@code outW}. Example: a 3x3, stride-1, pad-1 conv of {@code [8, 16, 32, 32]} to 32 channels
 * is {@code new ConvGeometry(8, 16, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)}, output
 * {@code [8, 32, 32, 32]}.
 */
public final class ConvGeometry {
  /** Batch size. */
  public final int n;
  /** Input channels. */
  public final int inChannels;
  /** Input height. */
  public final int inH;
  /** Input width. */
  public final int inW;
  /** Output channels. */
  public final int outChannels;
  /** Kernel height. */
  public final int kernelH;
  /** Kernel width. */
  public final int kernelW;
  /** Vertical stride. */
  public final int strideH;
  /** Horizontal stride. */
  public final int strideW;
  /** Zero rows added above the input. */
  public final int padTop;
  /** Zero rows added below the input. */
  public final int padBottom;
  /** Zero columns added left of the input. */
  public final int padLeft;
  /** Zero columns added right of the input. */
  public final int padRight;
  /** Vertical dilation (1 = dense kernel). */
  public final int dilationH;
  /** Horizontal dilation. */
  public final int dilationW;
  /** Channel groups: each output channel sees {@code inChannels / groups} input channels. */
  public final int groups;
  /** Output height. */
  public final int outH;
  /** Output width. */
  public final int outW;

  /**
   * Creates and checks a geometry.
   *
   * @param n batch size, at least 1
   * @param inChannels input channels, divisible by {@code groups}
   * @param inH input height
   * @param inW input width
   * @param outChannels output channels, divisible by {@code groups}
   * @param kernelH kernel height
   * @param kernelW kernel width
   * @param strideH vertical stride
   * @param strideW horizontal stride
   * @param padTop zero rows above
   * @param padBottom zero rows below
   * @param padLeft zero columns left
   * @param padRight zero columns right
   * @param dilationH vertical dilation
   * @param dilationW horizontal dilation
   * @param groups channel groups
   * @throws IllegalArgumentException naming the offending numbers, if a size is not positive, a padding
   *     is negative, the channels are not divisible by the groups, the output would be empty, or a
   *     tensor would exceed {@code Integer.MAX_VALUE} elements
   */
  public ConvGeometry(int n, int inChannels, int inH, int inW, int outChannels, int kernelH, int kernelW,
      int strideH, int strideW, int padTop, int padBottom, int padLeft, int padRight,
      int dilationH, int dilationW, int groups) {
    positive("n", n);
    positive("inChannels", inChannels);
    positive("inH", inH);
    positive("inW", inW);
    positive("outChannels", outChannels);
    positive("kernelH", kernelH);
    positive("kernelW", kernelW);
    positive("strideH", strideH);
    positive("strideW", strideW);
    positive("dilationH", dilationH);
    positive("dilationW", dilationW);
    positive("groups", groups);
    if (padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0) {
      throw new IllegalArgumentException("padding must be >= 0, got top=" + padTop + ", bottom=" + padBottom
          + ", left=" + padLeft + ", right=" + padRight);
    }
    if (inChannels % groups != 0 || outChannels % groups != 0) {
      throw new IllegalArgumentException("inChannels=" + inChannels + " and outChannels=" + outChannels
          + " must both be divisible by groups=" + groups);
    }
    long spanH = (long) dilationH * (kernelH - 1) + 1;
    long spanW = (long) dilationW * (kernelW - 1) + 1;
    long paddedH = (long) inH + padTop + padBottom;
    long paddedW = (long) inW + padLeft + padRight;
    if (paddedH < spanH || paddedW < spanW) {
      throw new IllegalArgumentException("output size < 1: padded input " + paddedH + "x" + paddedW
          + " is smaller than the dilated kernel " + spanH + "x" + spanW + " (input " + inH + "x" + inW
          + ", kernel " + kernelH + "x" + kernelW + ", dilation " + dilationH + "x" + dilationW + ")");
    }
    this.n = n;
    this.inChannels = inChannels;
    this.inH = inH;
    this.inW = inW;
    this.outChannels = outChannels;
    this.kernelH = kernelH;
    this.kernelW = kernelW;
    this.strideH = strideH;
    this.strideW = strideW;
    this.padTop = padTop;
    this.padBottom = padBottom;
    this.padLeft = padLeft;
    this.padRight = padRight;
    this.dilationH = dilationH;
    this.dilationW = dilationW;
    this.groups = groups;
    this.outH = (int) ((paddedH - spanH) / strideH + 1);
    this.outW = (int) ((paddedW - spanW) / strideW + 1);
    fits("input", (long) n * inChannels * inH * inW);
    fits("output", (long) n * outChannels * outH * outW);
    fits("weight", (long) outChannels * (inChannels / groups) * kernelH * kernelW);
    fits("im2col rows x output pixels", (long) inChannels * kernelH * kernelW * outH * outW);
  }

  private static void positive(String name, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + v);
    }
  }

  private static void fits(String what, long size) {
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(what + " has " + size + " elements, more than a Java array holds");
    }
  }

  /**
   * Elements of the input, {@code n * inChannels * inH * inW}.
   *
   * @return the input size
   */
  public int inputSize() {
    return n * inChannels * inH * inW;
  }

  /**
   * Elements of the output, {@code n * outChannels * outH * outW}.
   *
   * @return the output size
   */
  public int outputSize() {
    return n * outChannels * outH * outW;
  }

  /**
   * Elements of the weight, {@code outChannels * (inChannels / groups) * kernelH * kernelW}.
   *
   * @return the weight size
   */
  public int weightSize() {
    return outChannels * (inChannels / groups) * kernelH * kernelW;
  }

  /** Whether the conv is a plain matrix product per image (1x1, stride 1, no padding). */
  boolean isPointwise() {
    return kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1
        && padTop == 0 && padBottom == 0 && padLeft == 0 && padRight == 0;
  }

  @Override
  public String toString() {
    return "ConvGeometry[n=" + n + ", in=" + inChannels + "x" + inH + "x" + inW + ", out=" + outChannels
        + "x" + outH + "x" + outW + ", kernel=" + kernelH + "x" + kernelW + ", stride=" + strideH + "x"
        + strideW + ", pad=(" + padTop + "," + padBottom + "," + padLeft + "," + padRight + "), dilation="
        + dilationH + "x" + dilationW + ", groups=" + groups + "]";
  }
}
