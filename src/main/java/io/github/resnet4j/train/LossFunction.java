package io.github.resnet4j.train;

import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Tensor;

/**
 * A training loss of model outputs and targets, returning a 0-d tensor to back-propagate. Each factory is
 * one fused, numerically stable graph node.
 */
@FunctionalInterface
public interface LossFunction {
  /**
   * The loss.
   *
   * @param outputs model outputs, e.g. logits [N, K]
   * @param targets targets, e.g. labels [N]
   * @return a 0-d tensor
   */
  Tensor apply(Tensor outputs, Tensor targets);

  /**
   * Mean cross-entropy of logits [N, K] against integer labels [N].
   *
   * @return the loss
   */
  static LossFunction crossEntropy() {
    return Functional::crossEntropy;
  }

  /**
   * Cross-entropy with label smoothing s (target (1 - s) one-hot + s / K) and a reduction.
   *
   * @param labelSmoothing s in [0, 1]
   * @param mean average (true) or sum (false) over the batch
   * @return the loss
   */
  static LossFunction crossEntropy(float labelSmoothing, boolean mean) {
    return (z, y) -> Functional.crossEntropy(z, y, labelSmoothing, mean);
  }

  /**
   * Mean squared error against targets of the outputs' shape.
   *
   * @return the loss
   */
  static LossFunction mse() {
    return Functional::mse;
  }

  /**
   * Binary cross-entropy on logits against targets in [0, 1] of the same shape.
   *
   * @return the loss
   */
  static LossFunction bceWithLogits() {
    return Functional::bceWithLogits;
  }
}
