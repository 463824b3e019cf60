package io.github.resnet4j.nn;

/** The square window, stride and padding that max and average pooling share, checked once. */
abstract class Pool2D extends Module {
  final int kernel;
  final int stride;
  final int padding;

  Pool2D(String name, int kernel, int stride, int padding) {
    if (kernel < 1 || stride < 1 || padding < 0 || padding > kernel / 2) {
      throw new IllegalArgumentException(name + ": kernel " + kernel + ", stride " + stride + ", padding "
          + padding + " are invalid (padding at most half the kernel)");
    }
    this.kernel = kernel;
    this.stride = stride;
    this.padding = padding;
  }

  @Override
  protected String describe() {
    return "kernel=" + kernel + ", stride=" + stride + ", padding=" + padding;
  }
}
