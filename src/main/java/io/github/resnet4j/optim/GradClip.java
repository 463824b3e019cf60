package io.github.resnet4j.optim;

import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.Tensor;
import java.util.List;

/** Gradient clipping, as torch.nn.utils.clip_grad_norm_. */
public final class GradClip {
  private GradClip() {}

  /**
   * Scales all gradients by {@code maxNorm / (total + 1e-6)} when their global L2 norm exceeds maxNorm.
   *
   * @param params parameters whose gradients to clip (those without one are ignored)
   * @param maxNorm the largest allowed global norm, positive
   * @return the global norm before clipping
   */
  public static double clipGradNorm(List<Tensor> params, double maxNorm) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("clipGradNorm: maxNorm must be positive, got " + maxNorm);
    }
    double sq = 0;
    for (Tensor p : params) {
      if (p.grad() != null) {
        for (float v : p.grad().toFloatArray()) {
          sq += (double) v * v;
        }
      }
    }
    double total = Math.sqrt(sq);
    double coef = maxNorm / (total + 1e-6);
    if (coef < 1) {
      try (NoGrad ignored = NoGrad.enter()) {
        for (Tensor p : params) {
          if (p.grad() != null) {
            p.grad().mulInPlace((float) coef);
          }
        }
      }
    }
    return total;
  }
}
