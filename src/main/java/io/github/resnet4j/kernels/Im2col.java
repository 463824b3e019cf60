package io.github.resnet4j.kernels;

import java.util.Arrays;

/**
 * Unfolds input patches into columns and folds them back. For a chunk of {@code nb} images the column
 * matrix is {@code [inChannels * kernelH * kernelW, nb * outH * outW]}: row
 * {@code (c * kernelH + kh) * kernelW + kw}, column {@code img * outH * outW + oh * outW + ow}. Rows of
 * one group are contiguous, so a group's slice is an ordinary GEMM operand.
 */
final class Im2col {
  /** Planes per task: a plane is a few thousand floats, too little to hand to a thread alone. */
  private static final int GRAIN_FLOATS = 32 * 1024;

  private Im2col() {}

  /** Fills {@code cols} from images {@code [n0, n0 + nb)} of {@code x}; padding reads as 0. */
  static void im2col(ConvGeometry g, float[] x, int n0, int nb, float[] cols) {
    int hwo = g.outH * g.outW;
    int ld = nb * hwo;
    int kk = g.kernelH * g.kernelW;
    int grain = Math.max(1, GRAIN_FLOATS / Math.max(1, kk * hwo));
    int planes = nb * g.inChannels;
    // Run serially without a lambda when the loop will not split (inside a worker, above all): conv calls
    // this thousands of times a step.
    if (Parallel.splits(planes, grain)) {
      Parallel.forRange(planes, grain, (from, to) -> unfoldPlanes(g, x, n0, ld, cols, from, to));
    } else {
      unfoldPlanes(g, x, n0, ld, cols, 0, planes);
    }
  }

  /** Unfolds planes {@code [from, to)} of the chunk, plane {@code img * inChannels + ci}. */
  private static void unfoldPlanes(ConvGeometry g, float[] x, int n0, int ld, float[] cols, int from, int to) {
    int hwo = g.outH * g.outW;
    for (int u = from; u < to; u++) {
      int img = u / g.inChannels;
      int ci = u % g.inChannels;
      int plane = ((n0 + img) * g.inChannels + ci) * g.inH * g.inW;
      for (int kh = 0; kh < g.kernelH; kh++) {
        for (int kw = 0; kw < g.kernelW; kw++) {
          int dst = ((ci * g.kernelH + kh) * g.kernelW + kw) * ld + img * hwo;
          unfoldRow(g, x, plane, kh, kw, cols, dst);
        }
      }
    }
  }

  private static void unfoldRow(ConvGeometry g, float[] x, int plane, int kh, int kw, float[] cols, int dst) {
    int iw0 = kw * g.dilationW - g.padLeft;
    int lo = firstInsideColumn(g, iw0);
    int hi = endInsideColumn(g, iw0, lo);
    if (shiftsWholePlane(g, lo, hi)) {
      unfoldShiftedPlane(g, x, plane, kh, iw0, lo, hi, cols, dst);
      return;
    }
    for (int oh = 0; oh < g.outH; oh++) {
      int d = dst + oh * g.outW;
      int ih = oh * g.strideH - g.padTop + kh * g.dilationH;
      if (ih < 0 || ih >= g.inH) {
        Arrays.fill(cols, d, d + g.outW, 0f);
        continue;
      }
      int src = plane + ih * g.inW + iw0;
      if (g.strideW == 1) {
        System.arraycopy(x, src + lo, cols, d + lo, hi - lo);
      } else {
        for (int ow = lo; ow < hi; ow++) {
          cols[d + ow] = x[src + ow * g.strideW];
        }
      }
      zeroMargins(cols, d, lo, hi, g.outW);
    }
  }

  /** The first output column whose input column {@code iw0 + ow * strideW} lies inside the image. */
  private static int firstInsideColumn(ConvGeometry g, int iw0) {
    return iw0 >= 0 ? 0 : Math.min(g.outW, (-iw0 + g.strideW - 1) / g.strideW);
  }

  /** One past the last output column whose input column lies inside the image; at least {@code lo}. */
  private static int endInsideColumn(ConvGeometry g, int iw0, int lo) {
    int hi = iw0 >= g.inW ? 0 : Math.min(g.outW, (g.inW - 1 - iw0) / g.strideW + 1);
    return Math.max(hi, lo);
  }

  /**
   * Stride 1 with output rows as wide as the input's ("same" padding, the 3x3 convs of every ResNet): a
   * (kh, kw) slice is the input plane shifted by a constant, so unfold and fold can treat its in-image rows
   * as one run.
   */
  private static boolean shiftsWholePlane(ConvGeometry g, int lo, int hi) {
    return g.strideH == 1 && g.strideW == 1 && g.outW == g.inW && hi > lo;
  }

  /** With stride 1: the first output row whose input row {@code ih0 + oh} lies inside the image. */
  private static int firstInsideRow(ConvGeometry g, int ih0) {
    return Math.min(g.outH, Math.max(0, -ih0));
  }

  /** With stride 1: one past the last output row whose input row lies inside the image; at least ohLo. */
  private static int endInsideRow(ConvGeometry g, int ih0, int ohLo) {
    return Math.max(ohLo, Math.min(g.outH, g.inH - ih0));
  }

  /** Zeroes columns {@code [0, lo)} and {@code [hi, w)} of the row starting at {@code d}: the padding. */
  static void zeroMargins(float[] cols, int d, int lo, int hi, int w) {
    // The padded margins are a column or two: a plain loop beats the call to Arrays.fill.
    for (int i = d; i < d + lo; i++) {
      cols[i] = 0f;
    }
    for (int i = d + hi; i < d + w; i++) {
      cols[i] = 0f;
    }
  }

  /**
   * See {@link #shiftsWholePlane}: the in-image rows of this (kh, kw) slice come over in one copy instead
   * of one per row; the copy carries neighbouring rows' values into the padded columns,
   * which are then zeroed.
   */
  private static void unfoldShiftedPlane(ConvGeometry g, float[] x, int plane, int kh, int iw0, int lo, int hi,
      float[] cols, int dst) {
    int w = g.outW;
    int ih0 = kh * g.dilationH - g.padTop;
    int ohLo = firstInsideRow(g, ih0);
    int ohHi = endInsideRow(g, ih0, ohLo);
    Arrays.fill(cols, dst, dst + ohLo * w, 0f);
    Arrays.fill(cols, dst + ohHi * w, dst + g.outH * w, 0f);
    if (ohHi == ohLo) {
      return;
    }
    int first = ohLo * w + lo;
    int last = (ohHi - 1) * w + hi;
    System.arraycopy(x, plane + (ih0 + ohLo) * g.inW + iw0 + lo, cols, dst + first, last - first);
    for (int oh = ohLo; oh < ohHi; oh++) {
      zeroMargins(cols, dst + oh * w, lo, hi, w);
    }
  }

  /**
   * Overwrites images {@code [n0, n0 + nb)} of {@code dx} with the sum of the column entries that read
   * each input element, always in the same (kh, kw, oh, ow) order. The entries of {@code cols} that read
   * padding may be zeroed on the way.
   */
  static void col2im(ConvGeometry g, float[] cols, int n0, int nb, float[] dx) {
    int hwo = g.outH * g.outW;
    int ld = nb * hwo;
    int kk = g.kernelH * g.kernelW;
    int grain = Math.max(1, GRAIN_FLOATS / Math.max(1, kk * hwo));
    int planes = nb * g.inChannels;
    if (Parallel.splits(planes, grain)) {
      Parallel.forRange(planes, grain, (from, to) -> foldPlanes(g, cols, n0, ld, dx, from, to));
    } else {
      foldPlanes(g, cols, n0, ld, dx, 0, planes);
    }
  }

  /** Folds planes {@code [from, to)} of the chunk back onto dx, plane {@code img * inChannels + ci}. */
  private static void foldPlanes(ConvGeometry g, float[] cols, int n0, int ld, float[] dx, int from, int to) {
    int hwo = g.outH * g.outW;
    for (int u = from; u < to; u++) {
      int img = u / g.inChannels;
      int ci = u % g.inChannels;
      int plane = ((n0 + img) * g.inChannels + ci) * g.inH * g.inW;
      Arrays.fill(dx, plane, plane + g.inH * g.inW, 0f);
      for (int kh = 0; kh < g.kernelH; kh++) {
        for (int kw = 0; kw < g.kernelW; kw++) {
          int src = ((ci * g.kernelH + kh) * g.kernelW + kw) * ld + img * hwo;
          foldRow(g, cols, src, kh, kw, dx, plane);
        }
      }
    }
  }

  private static void foldRow(ConvGeometry g, float[] cols, int src, int kh, int kw, float[] dx, int plane) {
    int iw0 = kw * g.dilationW - g.padLeft;
    int lo = firstInsideColumn(g, iw0);
    int hi = endInsideColumn(g, iw0, lo);
    if (shiftsWholePlane(g, lo, hi)) {
      foldShiftedPlane(g, cols, src, kh, iw0, lo, hi, dx, plane);
      return;
    }
    for (int oh = 0; oh < g.outH; oh++) {
      int ih = oh * g.strideH - g.padTop + kh * g.dilationH;
      if (ih < 0 || ih >= g.inH) {
        continue;
      }
      int s = src + oh * g.outW;
      int d = plane + ih * g.inW + iw0;
      if (g.strideW == 1) {
        for (int ow = lo; ow < hi; ow++) {
          dx[d + ow] += cols[s + ow];
        }
      } else {
        for (int ow = lo; ow < hi; ow++) {
          dx[d + ow * g.strideW] += cols[s + ow];
        }
      }
    }
  }

  /**
   * The fold of {@link #unfoldShiftedPlane}: the in-image rows of this (kh, kw) slice add onto the plane
   * shifted by a constant, as one long run instead of one short run per row. The run also passes the
   * padded columns, which land on neighbouring rows' elements of the same plane, so those column entries
   * are zeroed first: adding +0 leaves every sum exactly as the row-by-row fold makes it (dx starts at +0
   * and round-to-nearest never turns it into -0), so results stay bit-identical.
   */
  private static void foldShiftedPlane(ConvGeometry g, float[] cols, int src, int kh, int iw0, int lo, int hi,
      float[] dx, int plane) {
    int w = g.outW;
    int ih0 = kh * g.dilationH - g.padTop;
    int ohLo = firstInsideRow(g, ih0);
    int ohHi = endInsideRow(g, ih0, ohLo);
    if (ohHi == ohLo) {
      return;
    }
    for (int oh = ohLo; oh < ohHi; oh++) {
      zeroMargins(cols, src + oh * w, lo, hi, w);
    }
    int first = ohLo * w + lo;
    int last = (ohHi - 1) * w + hi;
    int d = plane + ih0 * g.inW + iw0;
    for (int q = first; q < last; q++) {
      dx[d + q] += cols[src + q];
    }
  }
}
