package io.github.resnet4j.data;

import io.github.resnet4j.tensor.DType;
import io.github.resnet4j.tensor.Tensor;

/**
 * A mini-batch from a {@link DataLoader}.
 *
 * @param images the images, {@code [B, C, H, W]}
 * @param labels the class indices, {@code [B]}, tagged {@link DType#INT64}
 */
public record Batch(Tensor images, Tensor labels) {
  /**
   * The number of examples.
   *
   * @return {@code B}
   */
  public int size() {
    return labels.size(0);
  }
}
