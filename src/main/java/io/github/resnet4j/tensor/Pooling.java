package io.github.resnet4j.tensor;

import io.github.resnet4j.kernels.PoolKernel;

/** Max and average pooling nodes (floor mode, zero or -inf padding as PyTorch). */
final class Pooling {
  private Pooling() {}

  private static int[] outSize(String op, Tensor x, int kh, int kw, int sh, int sw, int ph, int pw) {
    Functional.requireRank(op, x, 4, "[N, C, H, W]");
    if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || ph < 0 || pw < 0 || ph > kh / 2 || pw > kw / 2) {
      throw new IllegalArgumentException(op + ": kernel " + kh + "x" + kw + ", stride " + sh + "x" + sw
          + ", padding " + ph + "x" + pw + " are invalid (padding at most half the kernel)");
    }
    int oh = (x.shape[2] + 2 * ph - kh) / sh + 1;
    int ow = (x.shape[3] + 2 * pw - kw) / sw + 1;
    if (x.shape[2] + 2 * ph < kh || x.shape[3] + 2 * pw < kw) {
      throw new IllegalArgumentException(op + ": input " + Shapes.str(x.shape) + " is smaller than the kernel "
          + kh + "x" + kw);
    }
    return new int[] {oh, ow};
  }

  static Tensor maxPool2d(Tensor x, int kh, int kw, int sh, int sw, int ph, int pw) {
    int[] o = outSize("maxPool2d", x, kh, kw, sh, sw, ph, pw);
    int n = x.shape[0];
    int c = x.shape[1];
    float[] y = Buffers.forOutput(n * c * o[0] * o[1]);
    float[] xd = x.denseData();
    if (!NoGrad.isGradEnabled() || !x.requiresGrad) { // nothing will backpropagate: no indices to keep
      PoolKernel.maxPool2dValues(xd, n, c, x.shape[2], x.shape[3], kh, kw, sh, sw, ph, pw, y);
      return Tensor.wrap(y, n, c, o[0], o[1]);
    }
    int[] argmax = new int[y.length];
    PoolKernel.maxPool2dForward(xd, n, c, x.shape[2], x.shape[3], kh, kw, sh, sw, ph, pw, y, argmax);
    return Autograd.record("maxPool2d", Tensor.wrap(y, n, c, o[0], o[1]), g -> {
      float[] dx = Buffers.forOutput(xd.length);
      PoolKernel.maxPool2dBackward(g.denseData(), argmax, n, c, x.shape[2], x.shape[3], o[0], o[1], dx);
      return new Tensor[] {Tensor.wrap(dx, x.shape)};
    }, x);
  }

  static Tensor avgPool2d(Tensor x, int kh, int kw, int sh, int sw, int ph, int pw, boolean countIncludePad) {
    int[] o = outSize("avgPool2d", x, kh, kw, sh, sw, ph, pw);
    int n = x.shape[0];
    int c = x.shape[1];
    int h = x.shape[2];
    int w = x.shape[3];
    float[] y = Buffers.forOutput(n * c * o[0] * o[1]);
    PoolKernel.avgPool2dForward(x.denseData(), n, c, h, w, kh, kw, sh, sw, ph, pw, countIncludePad, y);
    return Autograd.record("avgPool2d", Tensor.wrap(y, n, c, o[0], o[1]), g -> {
      float[] dx = Buffers.forOutput(n * c * h * w);
      PoolKernel.avgPool2dBackward(g.denseData(), n, c, h, w, kh, kw, sh, sw, ph, pw, countIncludePad, dx);
      return new Tensor[] {Tensor.wrap(dx, x.shape)};
    }, x);
  }
}
