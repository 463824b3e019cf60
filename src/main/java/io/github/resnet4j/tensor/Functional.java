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

  static void requireRank(String op, Tensor x, int rank, String layout) {
    if (x.dim() != rank) {
      throw new IllegalArgumentException(op + ": expected a " + rank + "-d input " + layout + ", got shape "
          + Shapes.str(x.shape));
    }
  }
}
