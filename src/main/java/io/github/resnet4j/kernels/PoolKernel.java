package io.github.resnet4j.kernels;

/** Placeholder pooling loops (replaced by the kernels branch). */
public final class PoolKernel {
  private PoolKernel() {}

  public static void maxForward(float[] x, int n, int c, int h, int w, int kh, int kw, int sh, int sw,
      int padH, int padW, int outH, int outW, float[] y, int[] argmax) {
    for (int p = 0; p < n * c; p++) {
      for (int oh = 0; oh < outH; oh++) for (int ow = 0; ow < outW; ow++) {
        float best = Float.NEGATIVE_INFINITY; int bi = -1;
        for (int i = 0; i < kh; i++) for (int j = 0; j < kw; j++) {
          int ih = oh * sh - padH + i, iw = ow * sw - padW + j;
          if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
          int k = (p * h + ih) * w + iw;
          if (bi < 0 || x[k] > best || Float.isNaN(x[k])) { best = x[k]; bi = k; }
        }
        int o = (p * outH + oh) * outW + ow;
        y[o] = best; argmax[o] = bi;
      }
    }
  }

  public static void maxBackward(float[] dy, int[] argmax, float[] dx) {
    java.util.Arrays.fill(dx, 0f);
    for (int o = 0; o < dy.length; o++) dx[argmax[o]] += dy[o];
  }

  public static void avgForward(float[] x, int n, int c, int h, int w, int kh, int kw, int sh, int sw,
      int padH, int padW, int outH, int outW, boolean countIncludePad, float[] y) {
    for (int p = 0; p < n * c; p++) {
      for (int oh = 0; oh < outH; oh++) for (int ow = 0; ow < outW; ow++) {
        double s = 0; int cnt = 0;
        for (int i = 0; i < kh; i++) for (int j = 0; j < kw; j++) {
          int ih = oh * sh - padH + i, iw = ow * sw - padW + j;
          if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
          s += x[(p * h + ih) * w + iw]; cnt++;
        }
        y[(p * outH + oh) * outW + ow] = (float) (s / (countIncludePad ? kh * kw : cnt));
      }
    }
  }

  public static void avgBackward(float[] dy, int n, int c, int h, int w, int kh, int kw, int sh, int sw,
      int padH, int padW, int outH, int outW, boolean countIncludePad, float[] dx) {
    java.util.Arrays.fill(dx, 0f);
    for (int p = 0; p < n * c; p++) {
      for (int oh = 0; oh < outH; oh++) for (int ow = 0; ow < outW; ow++) {
        int cnt = 0;
        for (int i = 0; i < kh; i++) for (int j = 0; j < kw; j++) {
          int ih = oh * sh - padH + i, iw = ow * sw - padW + j;
          if (ih >= 0 && ih < h && iw >= 0 && iw < w) cnt++;
        }
        float d = dy[(p * outH + oh) * outW + ow] / (countIncludePad ? kh * kw : cnt);
        for (int i = 0; i < kh; i++) for (int j = 0; j < kw; j++) {
          int ih = oh * sh - padH + i, iw = ow * sw - padW + j;
          if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
          dx[(p * h + ih) * w + iw] += d;
        }
      }
    }
  }
}
