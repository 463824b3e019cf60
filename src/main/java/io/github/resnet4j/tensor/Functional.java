package io.github.resnet4j.tensor;

/**
 * Stateless neural-network functions on tensors, each differentiable: the building blocks the layers of
 * {@code io.github.resnet4j.nn} call. Shapes follow PyTorch (NCHW).
 *
 * <pre>{@code
 * Tensor logits = Functional.linear(x, weight, bias);         // [N, in] -> [N, out]
 * Tensor loss = Functional.crossEntropy(logits, labels);      // 0-d
 * }</pre>
 */
public final class Functional {
  private Functional() {}

  /**
   * Affine map {@code x W^T + b}, as torch.nn.functional.linear.
   *
   * @param x input [..., in]
   * @param weight [out, in]
   * @param bias [out], or null
   * @return [..., out]
   */
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    if (weight.dim() != 2 || x.dim() == 0 || x.size(-1) != weight.size(1)) {
      throw new IllegalArgumentException("linear: input " + Shapes.str(x.shape) + " does not match weight "
          + Shapes.str(weight.shape) + " (expected [..., " + (weight.dim() == 2 ? weight.size(1) : "in") + "])");
    }
    if (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0))) {
      throw new IllegalArgumentException("linear: bias " + Shapes.str(bias.shape) + " does not match weight "
          + Shapes.str(weight.shape) + " (expected [" + weight.size(0) + "])");
    }
    Tensor y = x.matmul(weight.t());
    return bias == null ? y : y.add(bias);
  }

  /**
   * Mean over the spatial dimensions: [N, C, H, W] to [N, C].
   *
   * @param x input [N, C, H, W]
   * @return [N, C]
   */
  public static Tensor globalAvgPool2d(Tensor x) {
    requireRank("globalAvgPool2d", x, 4, "[N, C, H, W]");
    return x.mean(new int[] {2, 3}, false);
  }

  /**
   * Mean cross-entropy of logits against integer class labels, {@code mean_n(logsumexp(z_n) - z_n[y_n])},
   * as torch.nn.functional.cross_entropy; one fused, stable node.
   *
   * @param logits [N, K]
   * @param labels [N] integer class indices in [0, K)
   * @return a 0-d tensor
   */
  public static Tensor crossEntropy(Tensor logits, Tensor labels) {
    return Losses.crossEntropy(logits, labels, 0f, true);
  }

  /**
   * Cross-entropy with label smoothing and a choice of reduction.
   *
   * @param logits [N, K]
   * @param labels [N] integer class indices in [0, K)
   * @param labelSmoothing s in [0, 1]: the target is (1 - s) one-hot + s / K
   * @param mean average over the batch (true) or sum (false)
   * @return a 0-d tensor
   */
  public static Tensor crossEntropy(Tensor logits, Tensor labels, float labelSmoothing, boolean mean) {
    return Losses.crossEntropy(logits, labels, labelSmoothing, mean);
  }

  /**
   * Mean squared error.
   *
   * @param input any shape
   * @param target same shape
   * @return a 0-d tensor
   */
  public static Tensor mse(Tensor input, Tensor target) {
    return Losses.mse(input, target, true);
  }

  /**
   * Binary cross-entropy on logits (sigmoid folded in, stable for large |x|), averaged.
   *
   * @param logits any shape
   * @param targets same shape, values in [0, 1]
   * @return a 0-d tensor
   */
  public static Tensor bceWithLogits(Tensor logits, Tensor targets) {
    return Losses.bceWithLogits(logits, targets, true);
  }

  /**
   * 2-d cross-correlation (no kernel flip), as torch.nn.functional.conv2d with explicit per-side padding.
   *
   * @param x input [N, C, H, W]
   * @param weight [Cout, C/groups, kH, kW]
   * @param bias [Cout], or null
   * @param spec stride, padding, dilation and groups
   * @return [N, Cout, outH, outW]
   */
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, ConvSpec spec) {
    return Convolutions.conv2d(x, weight, bias, spec);
  }

  /**
   * {@code relu(conv2d(x, weight, bias, spec) + residual)} as one node, the residual and the ReLU each optional:
   * the same values and gradients, bit for bit, as the separate ops, with one stored activation and no pass of
   * their own over it (the convolution applies them to each image's output while it is in cache). With a
   * BatchNorm folded into weight and bias, this is a whole conv-BatchNorm-ReLU, or a residual block's end.
   *
   * @param x input [N, C, H, W]
   * @param weight [Cout, C/groups, kH, kW]
   * @param bias [Cout], or null
   * @param spec stride, padding, dilation and groups
   * @param residual [N, Cout, outH, outW] to add after the bias (the shortcut's output), or null
   * @param relu whether to apply the ReLU last
   * @return [N, Cout, outH, outW]
   * @throws IllegalArgumentException naming the shapes if the residual is not the output's shape
   */
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, ConvSpec spec, Tensor residual, boolean relu) {
    return Convolutions.conv2d(x, weight, bias, spec, residual, relu);
  }

  /**
   * Batch normalisation over the channel dimension, as torch.nn.functional.batch_norm. In training mode
   * it normalises by the batch mean and biased variance and, if given, updates the running statistics
   * in place: {@code running = (1 - momentum) * running + momentum * batch}, the variance unbiased. In
   * evaluation mode it uses the running statistics.
   *
   * @param x [N, C, H, W] or [N, C]
   * @param weight [C] scale, or null
   * @param bias [C] shift, or null
   * @param runningMean [C], or null in training mode
   * @param runningVar [C], or null in training mode
   * @param training batch statistics (true) or running ones
   * @param momentum weight of the new statistic (PyTorch convention, 0.1 by default)
   * @param eps added to the variance
   * @return the normalised tensor, x's shape
   */
  public static Tensor batchNorm(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
      boolean training, float momentum, float eps) {
    return Normalization.batchNorm(x, null, weight, bias, runningMean, runningVar, training, momentum, eps, false);
  }

  /**
   * {@code relu(batchNorm(x, ...))} as one node: the same values and gradients, bit for bit, in one pass
   * over the data and with one stored activation instead of two.
   *
   * @param x [N, C, H, W] or [N, C]
   * @param weight [C] scale, or null
   * @param bias [C] shift, or null
   * @param runningMean [C], or null in training mode
   * @param runningVar [C], or null in training mode
   * @param training batch statistics (true) or running ones
   * @param momentum weight of the new statistic (PyTorch convention, 0.1 by default)
   * @param eps added to the variance
   * @return the normalised, rectified tensor, x's shape
   */
  public static Tensor batchNormRelu(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
      Tensor runningVar, boolean training, float momentum, float eps) {
    return Normalization.batchNorm(x, null, weight, bias, runningMean, runningVar, training, momentum, eps, true);
  }

  /**
   * {@code relu(batchNorm(x, ...) + residual)} as one node, as a residual block whose main path ends in a
   * BatchNorm ends: the same values and gradients, bit for bit, as {@code addRelu(batchNorm(x, ...), residual)},
   * in one pass and without storing the normalised tensor.
   *
   * @param x [N, C, H, W] or [N, C]
   * @param residual x's shape, e.g. the shortcut's output
   * @param weight [C] scale, or null
   * @param bias [C] shift, or null
   * @param runningMean [C], or null in training mode
   * @param runningVar [C], or null in training mode
   * @param training batch statistics (and running-statistics update) if true, running statistics if false
   * @param momentum weight of the new batch in the running statistics
   * @param eps added to the variance
   * @return the rectified sum, x's shape
   * @throws IllegalArgumentException naming the shapes if residual's differs from x's
   */
  public static Tensor batchNormAddRelu(Tensor x, Tensor residual, Tensor weight, Tensor bias,
      Tensor runningMean, Tensor runningVar, boolean training, float momentum, float eps) {
    if (residual == null) {
      throw new IllegalArgumentException("batchNormAddRelu: residual is null; use batchNormRelu");
    }
    return Normalization.batchNorm(x, residual, weight, bias, runningMean, runningVar, training, momentum, eps,
        true);
  }

  /**
   * {@code relu(a + b)} as one node, as a residual block ends: the same values and gradients, bit for bit,
   * as {@code a.add(b).relu()}, in one pass and with one stored activation instead of two.
   *
   * @param a e.g. the main path's output [N, C, H, W]
   * @param b e.g. the shortcut's output, a's shape or broadcastable to it
   * @return the rectified sum, the broadcast shape
   * @throws IllegalArgumentException naming both shapes if they do not broadcast
   */
  public static Tensor addRelu(Tensor a, Tensor b) {
    return Ops.addRelu(a, b);
  }

  /**
   * Max pooling (floor mode; padding counts as -infinity).
   *
   * @param x [N, C, H, W]
   * @param kernel window size
   * @param stride step
   * @param padding implicit padding on each side, at most kernel / 2
   * @return [N, C, (H + 2p - k) / s + 1, (W + 2p - k) / s + 1]
   */
  public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
    return Pooling.maxPool2d(x, kernel, kernel, stride, stride, padding, padding);
  }

  /**
   * Average pooling (floor mode; zero padding counted in the divisor when {@code countIncludePad}).
   *
   * @param x [N, C, H, W]
   * @param kernel window size
   * @param stride step
   * @param padding implicit zero padding on each side, at most kernel / 2
   * @param countIncludePad divide by the full window (PyTorch's default) or by the in-bounds count
   * @return [N, C, (H + 2p - k) / s + 1, (W + 2p - k) / s + 1]
   */
  public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding, boolean countIncludePad) {
    return Pooling.avgPool2d(x, kernel, kernel, stride, stride, padding, padding, countIncludePad);
  }

  /**
   * Inverted dropout: each element is zeroed with probability p and the rest scaled by 1/(1-p).
   *
   * @param x any shape
   * @param p drop probability in [0, 1)
   * @param gen the mask generator
   * @return the masked tensor
   */
  public static Tensor dropout(Tensor x, float p, Generator gen) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
    }
    if (p == 0) {
      return x;
    }
    float[] mask = new float[x.numel()];
    float keep = 1f / (1f - p);
    for (int i = 0; i < mask.length; i++) {
      mask[i] = gen.nextFloat() >= p ? keep : 0f;
    }
    return x.mul(Tensor.wrap(mask, x.shape));
  }

  static void requireRank(String op, Tensor x, int rank, String layout) {
    if (x.dim() != rank) {
      throw new IllegalArgumentException(op + ": expected a " + rank + "-d input " + layout + ", got shape "
          + Shapes.str(x.shape));
    }
  }
}
