package io.github.resnet4j.kernels;

import java.util.Arrays;

/**
 * Unfolds input patches straight into the GEMM's packed B layout, one panel at a time: the column matrix of
 * {@link Im2col} ({@code [kg, N * outH * outW]} per group, {@code kg = inChannels / groups * kernelH *
 * kernelW}) cut into panels of {@code nr} columns, each written {@code [kg, nr]} contiguously.
 *
 * <p>Why: the register tile then reads B sequentially. Reading the row-major matrix in place costs the
 * tile a quarter of its speed on the narrow convolutions of CIFAR ResNets (its rows are kilobytes apart,
 * so every step of the tile touches another page and the prefetcher cannot follow), and packing it
 * afterwards costs a second pass over the largest operand of the convolution.
 */
final class Im2colPanels {
  private Im2colPanels() {}

  /**
   * Writes panel {@code q} of group {@code grp}: columns {@code [q * nr, q * nr + nr)} of the whole batch's
   * column matrix (column {@code img * outH * outW + oh * outW + ow}), all {@code kg} rows, into
   * {@code dst[dOff ..]} laid out {@code [kg, nr]}. Columns past the batch's last are zeroed if the tile reads
   * them ({@link KernelProvider#readsBPadding}). The panel is cut into runs of columns that lie in one
   * output row of one image, since such a run reads one input row (per channel and kernel offset) at a
   * fixed stride.
   */
  static void unfoldPanel(KernelProvider kp, ConvGeometry g, float[] x, int q, int nr, int grp, float[] dst,
      int dOff) {
    int hwo = g.outH * g.outW;
    int ld = g.n * hwo;
    int j = q * nr;
    int img = j / hwo;
    int pix = j - img * hwo;
    int oh = pix / g.outW;
    int ow = pix - oh * g.outW;
    int t = 0;
    while (t < nr) {
      if (j >= ld) {
        // Past the batch's last column: zeros where the tile reads them (the plain tile stops at the last real
        // column, and zeroing 463 of 512 columns of a ResNet-18 layer at batch 1 cost more than its multiply).
        if (kp.readsBPadding()) {
          zeroColumns(g, dst, dOff, nr, t);
        }
        return;
      }
      int len = Math.min(Math.min(nr - t, g.outW - ow), ld - j);
      unfoldRun(kp, g, x, img, oh, ow, len, grp, dst, dOff + t, nr);
      t += len;
      j += len;
      ow += len;
      if (ow == g.outW) {
        ow = 0;
        if (++oh == g.outH) {
          oh = 0;
          img++;
        }
      }
    }
  }

  /**
   * Writes output pixels {@code [ow, ow + len)} of row {@code oh} of {@code image}, group {@code grp}'s
   * channels, into a panel's columns starting at {@code d0} (row 0). Kernel offset by kernel offset, so
   * that which columns of the run read padding is worked out once for all channels.
   */
  private static void unfoldRun(KernelProvider kp, ConvGeometry g, float[] x, int image, int oh, int ow,
      int len, int grp, float[] dst, int d0, int nr) {
    int cinG = g.inChannels / g.groups;
    int planeSize = g.inH * g.inW;
    int sw = g.strideW;
    int step = g.kernelH * g.kernelW * nr;
    int image0 = (image * g.inChannels + grp * cinG) * planeSize;
    for (int kh = 0; kh < g.kernelH; kh++) {
      int ih = oh * g.strideH - g.padTop + kh * g.dilationH;
      boolean rowInside = ih >= 0 && ih < g.inH;
      for (int kw = 0; kw < g.kernelW; kw++) {
        int iw0 = ow * sw - g.padLeft + kw * g.dilationW;
        int d = d0 + (kh * g.kernelW + kw) * nr;
        int s = image0 + ih * g.inW + iw0;
        int lo = 0;
        int hi = len;
        if (!rowInside) {
          hi = 0;
        } else if (iw0 < 0 || iw0 + (len - 1) * sw >= g.inW) {
          // The run reaches into the padding on the left or right (divisions only here: they cost more
          // than the copy).
          lo = iw0 >= 0 ? 0 : Math.min(len, (-iw0 + sw - 1) / sw);
          hi = iw0 >= g.inW ? lo : Math.max(lo, Math.min(len, (g.inW - 1 - iw0) / sw + 1));
        }
        if (hi == lo) {
          for (int ci = 0; ci < cinG; ci++, d += step) {
            Im2col.zeroMargins(dst, d, lo, hi, len);
          }
        } else if (sw == 1) {
          for (int ci = 0; ci < cinG; ci++, d += step, s += planeSize) {
            kp.copyRun(x, s, dst, d, len, lo, hi);
          }
        } else {
          for (int ci = 0; ci < cinG; ci++, d += step, s += planeSize) {
            for (int u = lo; u < hi; u++) {
              dst[d + u] = x[s + u * sw];
            }
            Im2col.zeroMargins(dst, d, lo, hi, len);
          }
        }
      }
    }
  }

  /** Zeroes columns {@code [t, nr)} of every row of the panel at {@code dOff}: the padding past the last column. */
  private static void zeroColumns(ConvGeometry g, float[] dst, int dOff, int nr, int t) {
    int kg = g.inChannels / g.groups * g.kernelH * g.kernelW;
    for (int p = 0; p < kg; p++) {
      Arrays.fill(dst, dOff + p * nr + t, dOff + p * nr + nr, 0f);
    }
  }
}
