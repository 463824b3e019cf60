package io.github.resnet4j.optim;

import io.github.resnet4j.tensor.Tensor;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), as torch.optim.AdamW: first
 * {@code p *= 1 - lr*wd}, then the Adam update on the plain gradient.
 */
public final class AdamW extends Adam {
  /**
   * AdamW with betas (0.9, 0.999), eps 1e-8.
   *
   * @param params the parameters
   * @param lr learning rate
   * @param weightDecay decoupled decay (PyTorch's default is 0.01)
   */
  public AdamW(List<Tensor> params, double lr, double weightDecay) {
    this(List.of(new ParamGroup(params, lr, weightDecay)), 0.9, 0.999, 1e-8);
  }

  /**
   * AdamW over groups (each group's weight decay is decoupled).
   *
   * @param groups the groups
   * @param beta1 first-moment decay
   * @param beta2 second-moment decay
   * @param eps added to the denominator
   */
  public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps) {
    super(groups, beta1, beta2, eps, true);
  }
}
