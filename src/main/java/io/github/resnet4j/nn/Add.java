package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.Tensor;
import java.util.Arrays;

/**
 * Element-wise sum of several tensors of one shape (Keras Add). Unlike {@link Tensor#add(Tensor)} it does
 * not broadcast: differing shapes are an error naming both.
 */
public final class Add extends Module {
  /** Creates the layer. */
  public Add() {}

  /**
   * Sums the inputs.
   *
   * @param first the first tensor
   * @param rest the others, each of the first's shape
   * @return the sum
   */
  public Tensor forward(Tensor first, Tensor... rest) {
    Tensor sum = first;
    for (Tensor t : rest) {
      if (!Arrays.equals(first.shape(), t.shape())) {
        throw new IllegalArgumentException("Add: shapes " + Arrays.toString(first.shape()) + " and "
            + Arrays.toString(t.shape()) + " differ");
      }
      sum = sum.add(t);
    }
    return sum;
  }

  /** A single input is its own sum. */
  @Override
  protected Tensor compute(Tensor x) {
    return x;
  }
}
