package io.github.resnet4j.kernels;

import java.util.Arrays;

/**
 * 2-d max and average pooling over NCHW float32 arrays, and global average pooling, with PyTorch's
 * semantics in floor mode: {@code out = (in + 2 * pad - kernel) / stride + 1} (floor), padding of at
 * most half the kernel, max pooling treating padding as -infinity and propagating NaN.
 *
 * <p>Planes {@code (n, c)} are independent and run in parallel.
 */
public final class PoolKernel {
  private static final int GRAIN_FLOATS = 16 * 1024;

  private PoolKernel() {}

  /**
   * The pooled size along one axis, {@code (in + 2 * pad - kernel) / stride + 1}.
   *
   * @param in input size
   * @param kernel window size
   * @param stride step
   * @param pad padding on each side, at most {@code kernel / 2}
   * @return the output size
   * @throws IllegalArgumentException if a size is invalid or the output would be empty
   */
  public static int outSize(int in, int kernel, int stride, int pad) {
    if (in < 1 || kernel < 1 || stride < 1 || pad < 0) {
      throw new IllegalArgumentException("need in, kernel, stride >= 1 and pad >= 0, got in=" + in
          + ", kernel=" + kernel + ", stride=" + stride + ", pad=" + pad);
    }
    if (pad > kernel / 2) {
      throw new IllegalArgumentException("pad=" + pad + " must be at most half the kernel=" + kernel);
    }
    int out = (in + 2 * pad - kernel) / stride + 1;
    if (in + 2 * pad < kernel || out < 1) {
      throw new IllegalArgumentException("output size < 1: in=" + in + ", pad=" + pad + ", kernel=" + kernel);
    }
    return out;
  }

  /**
   * Max pooling forward. {@code argmax[o]} receives the flat index into {@code x} of the element
   * chosen for output {@code o} (the first maximum in row-major window order).
   *
   * @param x input {@code [N, C, H, W]}
   * @param n batch N
   * @param c channels C
   * @param h height H
   * @param w width W
   * @param kH window height
   * @param kW window width
   * @param sH vertical stride
   * @param sW horizontal stride
   * @param padH rows of -infinity above and below
   * @param padW columns of -infinity left and right
   * @param y output {@code [N, C, outH, outW]}, overwritten
   * @param argmax {@code [N, C, outH, outW]}, overwritten; or null when only the values are wanted
   */
  public static void maxPool2dForward(float[] x, int n, int c, int h, int w, int kH, int kW, int sH, int sW,
      int padH, int padW, float[] y, int[] argmax) {
    int oh = outSize(h, kH, sH, padH);
    int ow = outSize(w, kW, sW, padW);
    check("x", x.length, (long) n * c * h * w);
    check("y", y.length, (long) n * c * oh * ow);
    if (argmax != null) {
      check("argmax", argmax.length, (long) n * c * oh * ow);
    }
    Parallel.forRange(n * c, grain(h * w), (from, to) -> {
      for (int plane = from; plane < to; plane++) {
        int in = plane * h * w;
        int out = plane * oh * ow;
        for (int i = 0; i < oh; i++) {
          int h0 = Math.max(0, i * sH - padH);
          int h1 = Math.min(h, i * sH - padH + kH);
          for (int j = 0; j < ow; j++) {
            int w0 = Math.max(0, j * sW - padW);
            int w1 = Math.min(w, j * sW - padW + kW);
            float best = Float.NEGATIVE_INFINITY;
            int bestAt = in + h0 * w + w0;
            search:
            for (int r = h0; r < h1; r++) {
              for (int q = w0; q < w1; q++) {
                int at = in + r * w + q;
                float v = x[at];
                if (v > best || Float.isNaN(v)) {
                  best = v;
                  bestAt = at;
                  if (Float.isNaN(v)) {
                    break search;
                  }
                }
              }
            }
            y[out + i * ow + j] = best;
            if (argmax != null) {
              argmax[out + i * ow + j] = bestAt;
            }
          }
        }
      }
    });
  }

  /**
   * Max pooling forward without the indices, for inference: the values of {@link #maxPool2dForward} bit for
   * bit, several times faster.
   *
   * <p>Why it is exact: the scan keeps the first maximum in row-major window order (and the first NaN). Taking
   * each row's first maximum over the window's columns, then the first of those over the window's rows, picks
   * the first row holding a maximum and that row's first maximum, which is the same element, even among zeros
   * of both signs. Both steps run along whole rows, vectorized ({@link KernelProvider#firstMax}), instead of
   * a branchy scan per window: ResNet-18's stem pooling at batch 1 takes 0.77 ms instead of 6.1 on one core.
   * Plain Java keeps the scan.
   *
   * @param x input {@code [N, C, H, W]}
   * @param n batch N
   * @param c channels C
   * @param h height H
   * @param w width W
   * @param kH window height
   * @param kW window width
   * @param sH vertical stride
   * @param sW horizontal stride
   * @param padH rows of -infinity above and below
   * @param padW columns of -infinity left and right
   * @param y output {@code [N, C, outH, outW]}, overwritten
   */
  public static void maxPool2dValues(float[] x, int n, int c, int h, int w, int kH, int kW, int sH, int sW,
      int padH, int padW, float[] y) {
    maxPool2dValues(Kernels.PROVIDER, x, n, c, h, w, kH, kW, sH, sW, padH, padW, y);
  }

  static void maxPool2dValues(KernelProvider kp, float[] x, int n, int c, int h, int w, int kH, int kW, int sH,
      int sW, int padH, int padW, float[] y) {
    if (!kp.vectorized()) {
      // firstMax does not auto-vectorize (its selection is a branch), and as a branch per element it is slower
      // than the scan: 5.2 against 3.4 ms for ResNet-18's stem pooling.
      maxPool2dForward(x, n, c, h, w, kH, kW, sH, sW, padH, padW, y, null);
    } else {
      rowsThenColumns(kp, x, n, c, h, w, kH, kW, sH, sW, padH, padW, y);
    }
  }

  /** {@link #maxPool2dValues} as row maxima, then maxima over rows: exact on every provider. */
  static void rowsThenColumns(KernelProvider kp, float[] x, int n, int c, int h, int w, int kH, int kW, int sH,
      int sW, int padH, int padW, float[] y) {
    int oh = outSize(h, kH, sH, padH);
    int ow = outSize(w, kW, sW, padW);
    check("x", x.length, (long) n * c * h * w);
    check("y", y.length, (long) n * c * oh * ow);
    int wp = w + 2 * padW;
    // Window starts along a padded row, at stride 1; every sW-th one is an output column.
    int starts = wp - kW + 1;
    Parallel.forRange(n * c, grain(h * w), (from, to) -> {
      float[] row = Scratch.get(Scratch.POOL_ROW, wp);
      float[] rowMax = Scratch.get(Scratch.POOL_ROWS, (h + 1) * starts);
      Arrays.fill(row, 0, padW, Float.NEGATIVE_INFINITY);
      Arrays.fill(row, padW + w, wp, Float.NEGATIVE_INFINITY);
      int column = h * starts; // the last row of rowMax: one output row's maxima over the window's rows
      for (int plane = from; plane < to; plane++) {
        int in = plane * h * w;
        for (int r = 0; r < h; r++) {
          System.arraycopy(x, in + r * w, row, padW, w);
          System.arraycopy(row, 0, rowMax, r * starts, starts);
          for (int t = 1; t < kW; t++) {
            kp.firstMax(rowMax, r * starts, row, t, starts);
          }
        }
        int out = plane * oh * ow;
        for (int i = 0; i < oh; i++) {
          // Padding rows are -infinity, which never displaces anything: the window's real rows suffice.
          int r0 = Math.max(0, i * sH - padH);
          int r1 = Math.min(h, i * sH - padH + kH);
          System.arraycopy(rowMax, r0 * starts, rowMax, column, starts);
          for (int r = r0 + 1; r < r1; r++) {
            kp.firstMax(rowMax, column, rowMax, r * starts, starts);
          }
          for (int j = 0; j < ow; j++) {
            y[out + i * ow + j] = rowMax[column + j * sW];
          }
        }
      }
    });
  }

  /**
   * Max pooling backward: {@code dx} is zeroed, then each {@code dy[o]} is added at {@code argmax[o]}.
   *
   * @param dy upstream gradient {@code [N, C, outH, outW]}
   * @param argmax the indices from {@link #maxPool2dForward}
   * @param n batch N
   * @param c channels C
   * @param h input height H
   * @param w input width W
   * @param outH output height
   * @param outW output width
   * @param dx receives dLoss/dx {@code [N, C, H, W]}, overwritten
   */
  public static void maxPool2dBackward(float[] dy, int[] argmax, int n, int c, int h, int w, int outH, int outW,
      float[] dx) {
    check("dy", dy.length, (long) n * c * outH * outW);
    check("argmax", argmax.length, (long) n * c * outH * outW);
    check("dx", dx.length, (long) n * c * h * w);
    // Each plane's indices point into the same plane of x, so planes are independent.
    Parallel.forRange(n * c, grain(h * w), (from, to) -> {
      Arrays.fill(dx, from * h * w, to * h * w, 0f);
      for (int o = from * outH * outW, end = to * outH * outW; o < end; o++) {
        dx[argmax[o]] += dy[o];
      }
    });
  }

  /**
   * Average pooling forward. With {@code countIncludePad} (PyTorch's default) every window divides by
   * {@code kH * kW}; without, by the number of real input elements in the window.
   *
   * @param x input {@code [N, C, H, W]}
   * @param n batch N
   * @param c channels C
   * @param h height H
   * @param w width W
   * @param kH window height
   * @param kW window width
   * @param sH vertical stride
   * @param sW horizontal stride
   * @param padH rows of zeros above and below
   * @param padW columns of zeros left and right
   * @param countIncludePad whether padding counts in the divisor
   * @param y output {@code [N, C, outH, outW]}, overwritten
   */
  public static void avgPool2dForward(float[] x, int n, int c, int h, int w, int kH, int kW, int sH, int sW,
      int padH, int padW, boolean countIncludePad, float[] y) {
    int oh = outSize(h, kH, sH, padH);
    int ow = outSize(w, kW, sW, padW);
    check("x", x.length, (long) n * c * h * w);
    check("y", y.length, (long) n * c * oh * ow);
    Parallel.forRange(n * c, grain(h * w), (from, to) -> {
      for (int plane = from; plane < to; plane++) {
        int in = plane * h * w;
        int out = plane * oh * ow;
        for (int i = 0; i < oh; i++) {
          int h0 = Math.max(0, i * sH - padH);
          int h1 = Math.min(h, i * sH - padH + kH);
          for (int j = 0; j < ow; j++) {
            int w0 = Math.max(0, j * sW - padW);
            int w1 = Math.min(w, j * sW - padW + kW);
            float sum = 0;
            for (int r = h0; r < h1; r++) {
              for (int q = w0; q < w1; q++) {
                sum += x[in + r * w + q];
              }
            }
            int count = countIncludePad ? kH * kW : (h1 - h0) * (w1 - w0);
            y[out + i * ow + j] = sum / count;
          }
        }
      }
    });
  }

  /**
   * Average pooling backward: each {@code dy} element is spread evenly over its window's input
   * elements (divided as in the forward); {@code dx} is overwritten.
   *
   * @param dy upstream gradient {@code [N, C, outH, outW]}
   * @param n batch N
   * @param c channels C
   * @param h input height H
   * @param w input width W
   * @param kH window height
   * @param kW window width
   * @param sH vertical stride
   * @param sW horizontal stride
   * @param padH padding rows
   * @param padW padding columns
   * @param countIncludePad as in the forward
   * @param dx receives dLoss/dx {@code [N, C, H, W]}, overwritten
   */
  public static void avgPool2dBackward(float[] dy, int n, int c, int h, int w, int kH, int kW, int sH, int sW,
      int padH, int padW, boolean countIncludePad, float[] dx) {
    int oh = outSize(h, kH, sH, padH);
    int ow = outSize(w, kW, sW, padW);
    check("dy", dy.length, (long) n * c * oh * ow);
    check("dx", dx.length, (long) n * c * h * w);
    Parallel.forRange(n * c, grain(h * w), (from, to) -> {
      for (int plane = from; plane < to; plane++) {
        int in = plane * h * w;
        int out = plane * oh * ow;
        Arrays.fill(dx, in, in + h * w, 0f);
        for (int i = 0; i < oh; i++) {
          int h0 = Math.max(0, i * sH - padH);
          int h1 = Math.min(h, i * sH - padH + kH);
          for (int j = 0; j < ow; j++) {
            int w0 = Math.max(0, j * sW - padW);
            int w1 = Math.min(w, j * sW - padW + kW);
            int count = countIncludePad ? kH * kW : (h1 - h0) * (w1 - w0);
            float g = dy[out + i * ow + j] / count;
            for (int r = h0; r < h1; r++) {
              for (int q = w0; q < w1; q++) {
                dx[in + r * w + q] += g;
              }
            }
          }
        }
      }
    });
  }

  /**
   * Global average pooling: {@code y[n, c] = mean over S of x[n, c, S]} (summed in double).
   *
   * @param x input {@code [N, C, S]} with {@code S = H * W}
   * @param n batch N
   * @param c channels C
   * @param s spatial size S
   * @param y output {@code [N, C]}, overwritten
   */
  public static void globalAvgPoolForward(float[] x, int n, int c, int s, float[] y) {
    check("x", x.length, (long) n * c * s);
    check("y", y.length, (long) n * c);
    Parallel.forRange(n * c, grain(s), (from, to) -> {
      for (int plane = from; plane < to; plane++) {
        double sum = 0;
        for (int i = plane * s, end = i + s; i < end; i++) {
          sum += x[i];
        }
        y[plane] = (float) (sum / s);
      }
    });
  }

  /**
   * Global average pooling backward: {@code dx[n, c, :] = dy[n, c] / S}.
   *
   * @param dy upstream gradient {@code [N, C]}
   * @param n batch N
   * @param c channels C
   * @param s spatial size S
   * @param dx receives dLoss/dx {@code [N, C, S]}, overwritten
   */
  public static void globalAvgPoolBackward(float[] dy, int n, int c, int s, float[] dx) {
    check("dy", dy.length, (long) n * c);
    check("dx", dx.length, (long) n * c * s);
    Parallel.forRange(n * c, grain(s), (from, to) -> {
      for (int plane = from; plane < to; plane++) {
        Arrays.fill(dx, plane * s, plane * s + s, dy[plane] / s);
      }
    });
  }

  private static int grain(int planeSize) {
    return Math.max(1, GRAIN_FLOATS / Math.max(1, planeSize));
  }

  private static void check(String name, int length, long needed) {
    if (length < needed) {
      throw new IllegalArgumentException(name + " has " + length + " elements, needs " + needed);
    }
  }
}
