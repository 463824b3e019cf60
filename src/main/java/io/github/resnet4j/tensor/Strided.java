package io.github.resnet4j.tensor;

/** Bridges tensors to the strided loops of the kernels package. */
final class Strided {
  private Strided() {}

  static void copyTo(Tensor x, float[] out) {
    io.github.resnet4j.kernels.Strided.copy(x.data(), x.offset, x.strides, x.shape, out, 0);
  }
}
