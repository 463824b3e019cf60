package io.github.resnet4j.tensor;

import java.util.Arrays;

/** Fused, numerically stable losses: each one graph node with a hand-written backward. */
final class Losses {
  private Losses() {}

  static int[] labelValues(String op, Tensor labels, int n, int classes) {
    if (labels.shape.length != 1 || labels.shape[0] != n) {
      throw new IllegalArgumentException(op + ": labels of shape " + Shapes.str(labels.shape)
          + " do not match logits with batch size " + n + " (expected [" + n + "])");
    }
    float[] v = labels.toFloatArray();
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int k = (int) v[i];
      if (k != v[i] || k < 0 || k >= classes) {
        throw new IllegalArgumentException(op + ": label " + v[i] + " at position " + i
            + " is not a class index in [0, " + classes + ")");
      }
      out[i] = k;
    }
    return out;
  }

  /**
   * Mean (or sum) over the batch of {@code logsumexp(logits_n) - target_n . logits_n}, where the target
   * is the one-hot label smoothed by {@code smoothing}: (1 - s) on the label plus s / K everywhere.
   */
  static Tensor crossEntropy(Tensor logits, Tensor labels, float smoothing, boolean mean) {
    if (logits.shape.length != 2) {
      throw new IllegalArgumentException("crossEntropy: logits must be [N, K], got " + Shapes.str(logits.shape));
    }
    if (!(smoothing >= 0f && smoothing <= 1f)) {
      throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1], got " + smoothing);
    }
    int n = logits.shape[0];
    int k = logits.shape[1];
    int[] y = labelValues("crossEntropy", labels, n, k);
    float[] z = logits.denseData();
    float[] softmax = Buffers.forOutput(n * k);
    double total = 0;
    for (int i = 0; i < n; i++) {
      int row = i * k;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        max = Math.max(max, z[row + j]);
      }
      double sumExp = 0;
      double sumLogits = 0;
      for (int j = 0; j < k; j++) {
        double e = Math.exp(z[row + j] - max);
        softmax[row + j] = (float) e;
        sumExp += e;
        sumLogits += z[row + j];
      }
      double lse = max + Math.log(sumExp);
      for (int j = 0; j < k; j++) {
        softmax[row + j] = (float) (softmax[row + j] / sumExp);
      }
      total += (1 - smoothing) * (lse - z[row + y[i]]) + smoothing * (lse - sumLogits / k);
    }
    float scale = mean ? 1f / Math.max(n, 1) : 1f;
    Tensor loss = Tensor.scalar((float) (total * scale));
    return Autograd.record("crossEntropy", loss, g -> {
      float up = g.item() * scale;
      float[] grad = Buffers.forOutput(n * k);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < k; j++) {
          float target = smoothing / k + (j == y[i] ? 1 - smoothing : 0);
          grad[i * k + j] = (softmax[i * k + j] - target) * up;
        }
      }
      return new Tensor[] {Tensor.wrap(grad, n, k), null};
    }, logits, labels);
  }

  /** Mean (or sum) of {@code max(x,0) - x*t + log(1 + exp(-|x|))}: BCE on logits, stable for large |x|. */
  static Tensor bceWithLogits(Tensor logits, Tensor targets, boolean mean) {
    if (!Arrays.equals(logits.shape, targets.shape)) {
      throw new IllegalArgumentException("bceWithLogits: logits " + Shapes.str(logits.shape)
          + " and targets " + Shapes.str(targets.shape) + " differ in shape");
    }
    float[] x = logits.denseData();
    float[] t = targets.denseData();
    int n = x.length;
    double total = 0;
    for (int i = 0; i < n; i++) {
      total += Math.max(x[i], 0) - x[i] * t[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
    }
    float scale = mean ? 1f / Math.max(n, 1) : 1f;
    int[] shape = logits.shape;
    return Autograd.record("bceWithLogits", Tensor.scalar((float) (total * scale)), g -> {
      float up = g.item() * scale;
      float[] gx = new float[n];
      float[] gt = new float[n];
      for (int i = 0; i < n; i++) {
        double sig = 1.0 / (1.0 + Math.exp(-x[i]));
        gx[i] = (float) ((sig - t[i]) * up);
        gt[i] = -x[i] * up;
      }
      return new Tensor[] {Tensor.wrap(gx, shape), Tensor.wrap(gt, shape)};
    }, logits, targets);
  }

  /** Mean (or sum) of squared differences, one node: d/dinput = 2 (input - target) * scale. */
  static Tensor mse(Tensor input, Tensor target, boolean mean) {
    if (!Arrays.equals(input.shape, target.shape)) {
      throw new IllegalArgumentException("mse: input " + Shapes.str(input.shape)
          + " and target " + Shapes.str(target.shape) + " differ in shape");
    }
    float[] x = input.denseData();
    float[] t = target.denseData();
    int n = x.length;
    double total = 0;
    for (int i = 0; i < n; i++) {
      double d = (double) x[i] - t[i];
      total += d * d;
    }
    float scale = mean ? 1f / Math.max(n, 1) : 1f;
    int[] shape = input.shape;
    return Autograd.record("mse", Tensor.scalar((float) (total * scale)), g -> {
      float up = 2 * g.item() * scale;
      float[] gx = new float[n];
      float[] gt = new float[n];
      for (int i = 0; i < n; i++) {
        gx[i] = (x[i] - t[i]) * up;
        gt[i] = -gx[i];
      }
      return new Tensor[] {Tensor.wrap(gx, shape), Tensor.wrap(gt, shape)};
    }, input, target);
  }
}
