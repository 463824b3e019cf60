package io.github.resnet4j.kernels;

/**
 * The input gradient of a stride-1 convolution as a forward convolution: {@code dx = conv(dy, w')} where
 * {@code w'[ci, co, kh, kw] = w[co, ci, kH-1-kh, kW-1-kw]} (per group) and each padding becomes
 * {@code dilation * (k - 1) - padding}. So it runs as a forward ({@link Conv2dKernel#unfolded}, or
 * {@link RowWinograd} where that applies), at the forward's speed, instead of a GEMM of depth Cout (a few dozen:
 * the tile stores C after a handful of steps) whose column matrix is then folded back onto the image, the two
 * slowest parts of the backward.
 *
 * <p>Results differ from the GEMM-and-fold route in rounding only (the sum runs over (co, kh, kw) in
 * another order); they still do not depend on the thread count or on the kernels.
 */
final class TransposedConv {
  private TransposedConv() {}

  /**
   * Whether {@link #inputGradient} handles this geometry: stride 1, and no padding wider than the dilated
   * kernel (which would make the transposed padding negative, a crop).
   */
  static boolean applies(ConvGeometry g) {
    int spanH = g.dilationH * (g.kernelH - 1);
    int spanW = g.dilationW * (g.kernelW - 1);
    return g.strideH == 1 && g.strideW == 1 && g.padTop <= spanH && g.padBottom <= spanH
        && g.padLeft <= spanW && g.padRight <= spanW;
  }

  /**
   * Overwrites {@code dx [N, Cin, H, W]} with dLoss/dx of the convolution {@code g}.
   *
   * @param kp the kernels
   * @param g a geometry that {@link #applies}
   * @param weight {@code [Cout, Cin / groups, kH, kW]}
   * @param dy {@code [N, Cout, outH, outW]}
   * @param dx {@code [N, Cin, H, W]}, overwritten
   */
  static void inputGradient(KernelProvider kp, ConvGeometry g, float[] weight, float[] dy, float[] dx) {
    int spanH = g.dilationH * (g.kernelH - 1);
    int spanW = g.dilationW * (g.kernelW - 1);
    ConvGeometry t = new ConvGeometry(g.n, g.outChannels, g.outH, g.outW, g.inChannels, g.kernelH, g.kernelW,
        1, 1, spanH - g.padTop, spanH - g.padBottom, spanW - g.padLeft, spanW - g.padRight, g.dilationH,
        g.dilationW, g.groups);
    float[] flipped = Scratch.get(Scratch.FLIPPED, g.weightSize());
    flip(g, weight, flipped);
    if (RowWinograd.applies(t)) {
      RowWinograd.forward(kp, t, dy, flipped, false, ConvEpilogue.NONE, dx);
    } else {
      Conv2dKernel.unfolded(kp, t, dy, flipped, dx);
    }
  }

  /** {@code [Cout, Cin/G, kH, kW]} to {@code [Cin, Cout/G, kH, kW]}, each kernel turned by 180 degrees. */
  private static void flip(ConvGeometry g, float[] w, float[] out) {
    int cinG = g.inChannels / g.groups;
    int coutG = g.outChannels / g.groups;
    int kk = g.kernelH * g.kernelW;
    for (int grp = 0; grp < g.groups; grp++) {
      for (int co = 0; co < coutG; co++) {
        for (int ci = 0; ci < cinG; ci++) {
          int src = ((grp * coutG + co) * cinG + ci) * kk;
          int dst = ((grp * cinG + ci) * coutG + co) * kk;
          for (int k = 0; k < kk; k++) {
            out[dst + kk - 1 - k] = w[src + k];
          }
        }
      }
    }
  }
}
