package io.github.resnet4j.tensor;

/**
 * The element type a tensor stands for in files and state dicts.
 *
 * <p>Every tensor computes in float32. {@link #INT64} marks tensors that hold integers (class labels,
 * BatchNorm's {@code num_batches_tracked}) so that they are written back as int64, as PyTorch does;
 * their values are exact up to 2<sup>24</sup>.
 */
public enum DType {
  /** IEEE-754 single precision: the type of every computed tensor. */
  FLOAT32,
  /** Integer values held in float32 storage, saved as little-endian int64. */
  INT64
}
