package io.github.resnet4j.kernels;

/** Placeholder geometry (replaced by the kernels branch). */
public final class ConvGeometry {
  public final int n, inChannels, inH, inW, outChannels, kernelH, kernelW, strideH, strideW;
  public final int padTop, padBottom, padLeft, padRight, dilationH, dilationW, groups, outH, outW;

  public ConvGeometry(int n, int inChannels, int inH, int inW, int outChannels, int kernelH, int kernelW,
      int strideH, int strideW, int padTop, int padBottom, int padLeft, int padRight,
      int dilationH, int dilationW, int groups) {
    this.n = n; this.inChannels = inChannels; this.inH = inH; this.inW = inW; this.outChannels = outChannels;
    this.kernelH = kernelH; this.kernelW = kernelW; this.strideH = strideH; this.strideW = strideW;
    this.padTop = padTop; this.padBottom = padBottom; this.padLeft = padLeft; this.padRight = padRight;
    this.dilationH = dilationH; this.dilationW = dilationW; this.groups = groups;
    this.outH = (inH + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH + 1;
    this.outW = (inW + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW + 1;
    if (inChannels % groups != 0 || outChannels % groups != 0 || outH < 1 || outW < 1) {
      throw new IllegalArgumentException("ConvGeometry: invalid");
    }
  }
}
