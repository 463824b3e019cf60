package io.github.resnet4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * im2col's fast paths against the plain per-element definition, bit for bit: a fast path may only
 * change how the work is laid out, never a single rounding.
 */
class Im2colTest {
  /** Stride-1 geometries whose rows are as wide as the input's, where the shifted-plane paths apply. */
  private static final ConvGeometry[] SAME_WIDTH = {
      Conv2dKernelTest.geo(2, 3, 6, 7, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), // 3x3 "same"
      Conv2dKernelTest.geo(1, 2, 5, 9, 2, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1), // 5x5 "same"
      Conv2dKernelTest.geo(1, 2, 7, 6, 2, 3, 3, 1, 1, 2, 2, 2, 2, 2, 1), // dilated "same"
      Conv2dKernelTest.geo(3, 2, 4, 5, 2, 2, 2, 1, 1, 0, 1, 0, 1, 1, 1), // asymmetric (Keras "same", even k)
      Conv2dKernelTest.geo(1, 1, 3, 4, 1, 3, 3, 1, 1, 0, 0, 1, 1, 1, 1), // fewer rows than the input
      Conv2dKernelTest.geo(1, 1, 2, 2, 1, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1), // kernel larger than the image
  };

  @Test
  void col2imEqualsThePerElementFoldBitForBit() {
    SplittableRandom r = new SplittableRandom(7);
    for (ConvGeometry g : SAME_WIDTH) {
      int nb = g.n;
      int rows = g.inChannels * g.kernelH * g.kernelW;
      int ld = nb * g.outH * g.outW;
      float[] cols = GemmTest.random(r, rows * ld);
      // Negative zeros and exact cancellations are where an extra "+ 0" could show.
      for (int i = 0; i < cols.length; i += 5) {
        cols[i] = -0f;
      }
      for (int i = 1; i + 1 < cols.length; i += 7) {
        cols[i + 1] = -cols[i];
      }
      float[] want = referenceFold(g, cols, nb);
      float[] got = new float[g.inputSize()];
      Arrays.fill(got, Float.NaN);
      Im2col.col2im(g, cols.clone(), 0, nb, got);
      assertArrayEquals(want, got, g.toString());
    }
  }

  @Test
  void im2colEqualsThePerElementUnfold() {
    SplittableRandom r = new SplittableRandom(8);
    for (ConvGeometry g : SAME_WIDTH) {
      float[] x = GemmTest.random(r, g.inputSize());
      int ld = g.n * g.outH * g.outW;
      float[] got = new float[g.inChannels * g.kernelH * g.kernelW * ld];
      Arrays.fill(got, Float.NaN);
      Im2col.im2col(g, x, 0, g.n, got);
      assertArrayEquals(referenceUnfold(g, x), got, g.toString());
    }
  }

  /** One tap of the convolution: column entry {@code col} reads input element {@code in}, -1 for padding. */
  private interface Tap {
    void visit(int col, int in);
  }

  /** Every tap of images {@code [0, nb)}, per image and channel in (kh, kw, oh, ow) order. */
  private static void forEachTap(ConvGeometry g, int nb, Tap tap) {
    int hwo = g.outH * g.outW;
    int ld = nb * hwo;
    for (int img = 0; img < nb; img++) {
      for (int ci = 0; ci < g.inChannels; ci++) {
        for (int kh = 0; kh < g.kernelH; kh++) {
          for (int kw = 0; kw < g.kernelW; kw++) {
            int row = (ci * g.kernelH + kh) * g.kernelW + kw;
            for (int oh = 0; oh < g.outH; oh++) {
              for (int ow = 0; ow < g.outW; ow++) {
                int ih = oh * g.strideH - g.padTop + kh * g.dilationH;
                int iw = ow * g.strideW - g.padLeft + kw * g.dilationW;
                boolean inside = ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW;
                tap.visit(row * ld + img * hwo + oh * g.outW + ow,
                    inside ? ((img * g.inChannels + ci) * g.inH + ih) * g.inW + iw : -1);
              }
            }
          }
        }
      }
    }
  }

  /** dx as the sum, in (kh, kw, oh, ow) order from +0, of the column entries reading each element. */
  private static float[] referenceFold(ConvGeometry g, float[] cols, int nb) {
    float[] dx = new float[g.inputSize()];
    forEachTap(g, nb, (col, in) -> {
      if (in >= 0) {
        dx[in] += cols[col];
      }
    });
    return dx;
  }

  private static float[] referenceUnfold(ConvGeometry g, float[] x) {
    float[] cols = new float[g.inChannels * g.kernelH * g.kernelW * g.n * g.outH * g.outW];
    forEachTap(g, g.n, (col, in) -> cols[col] = in >= 0 ? x[in] : 0f);
    return cols;
  }
}
