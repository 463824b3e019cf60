package io.github.resnet4j.optim;

import io.github.resnet4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parameters that share a learning rate and a weight decay, as a PyTorch param group. The learning rate
 * is mutable (schedules set it); {@link #initialLr()} keeps the value a schedule scales.
 */
public final class ParamGroup {
  private final List<Tensor> params;
  private final double initialLr;
  private final double weightDecay;
  private double lr;

  /**
   * Creates a group.
   *
   * @param params the parameters (leaf tensors that require grad)
   * @param lr learning rate, positive
   * @param weightDecay weight decay, non-negative
   */
  public ParamGroup(List<Tensor> params, double lr, double weightDecay) {
    if (!(lr >= 0) || !(weightDecay >= 0)) {
      throw new IllegalArgumentException("ParamGroup: lr " + lr + " and weight decay " + weightDecay
          + " must be non-negative");
    }
    this.params = List.copyOf(params);
    this.initialLr = lr;
    this.lr = lr;
    this.weightDecay = weightDecay;
  }

  /**
   * Two groups from named parameters: weight decay on the weights of convs and dense layers, none on
   * biases and BatchNorm parameters (every tensor of rank &lt;= 1), a common recipe for ResNets.
   *
   * @param named parameters by name, e.g. {@code model.namedParameters()}
   * @param lr learning rate of both groups
   * @param weightDecay decay of the first group
   * @return [decayed, not decayed]
   */
  public static List<ParamGroup> decayWeightsOnly(Map<String, Tensor> named, double lr, double weightDecay) {
    List<Tensor> decay = new ArrayList<>();
    List<Tensor> noDecay = new ArrayList<>();
    for (Tensor p : named.values()) {
      (p.dim() <= 1 ? noDecay : decay).add(p);
    }
    return List.of(new ParamGroup(decay, lr, weightDecay), new ParamGroup(noDecay, lr, 0));
  }

  /**
   * The parameters.
   *
   * @return an unmodifiable list
   */
  public List<Tensor> params() {
    return params;
  }

  /**
   * The current learning rate.
   *
   * @return lr
   */
  public double lr() {
    return lr;
  }

  /**
   * Sets the current learning rate.
   *
   * @param lr the new value, non-negative
   */
  public void setLr(double lr) {
    if (!(lr >= 0)) {
      throw new IllegalArgumentException("ParamGroup: learning rate must be non-negative, got " + lr);
    }
    this.lr = lr;
  }

  /**
   * The learning rate the group was created with.
   *
   * @return the initial lr
   */
  public double initialLr() {
    return initialLr;
  }

  /**
   * The weight decay.
   *
   * @return the decay coefficient
   */
  public double weightDecay() {
    return weightDecay;
  }
}
