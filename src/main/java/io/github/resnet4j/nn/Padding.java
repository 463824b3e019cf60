package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.ConvSpec;

/**
 * How a convolution pads its input: {@link #valid()} (none), {@link #same()} (TensorFlow/Keras "same"),
 * or explicit zero padding.
 *
 * <p>"Same" follows TensorFlow exactly: {@code total = max((ceil(in/s) - 1)*s + (k-1)*d + 1 - in, 0)},
 * {@code before = total / 2} (rounded down), {@code after = total - before}. With stride 2 on an even
 * input this puts the extra row and column at the bottom and right, which PyTorch's symmetric
 * {@code padding=1} does not: the two give different results.
 */
public final class Padding {
  private enum Mode { VALID, SAME, EXPLICIT }

  private final Mode mode;
  private final int top;
  private final int bottom;
  private final int left;
  private final int right;

  private Padding(Mode mode, int top, int bottom, int left, int right) {
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      throw new IllegalArgumentException("Padding: negative padding (top " + top + ", bottom " + bottom
          + ", left " + left + ", right " + right + ")");
    }
    this.mode = mode;
    this.top = top;
    this.bottom = bottom;
    this.left = left;
    this.right = right;
  }

  /**
   * No padding: the output shrinks by the (dilated) kernel size minus one.
   *
   * @return the padding
   */
  public static Padding valid() {
    return new Padding(Mode.VALID, 0, 0, 0, 0);
  }

  /**
   * TensorFlow/Keras "same": output size ceil(in / stride), asymmetric where the total is odd.
   *
   * @return the padding
   */
  public static Padding same() {
    return new Padding(Mode.SAME, 0, 0, 0, 0);
  }

  /**
   * Symmetric zero padding of p on every side (PyTorch's {@code padding=p}).
   *
   * @param p the padding
   * @return the padding
   */
  public static Padding of(int p) {
    return new Padding(Mode.EXPLICIT, p, p, p, p);
  }

  /**
   * Zero padding per side.
   *
   * @param top rows above
   * @param bottom rows below
   * @param left columns on the left
   * @param right columns on the right
   * @return the padding
   */
  public static Padding of(int top, int bottom, int left, int right) {
    return new Padding(Mode.EXPLICIT, top, bottom, left, right);
  }

  /** TensorFlow's split of the total "same" padding along one dimension: {before, after}. */
  static int[] sameAlong(int in, int kernel, int stride, int dilation) {
    int out = (in + stride - 1) / stride;
    int total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - in, 0);
    return new int[] {total / 2, total - total / 2};
  }

  ConvSpec resolve(int inH, int inW, int kernelH, int kernelW, int strideH, int strideW, int dilationH,
      int dilationW, int groups) {
    switch (mode) {
      case SAME: {
        int[] v = sameAlong(inH, kernelH, strideH, dilationH);
        int[] h = sameAlong(inW, kernelW, strideW, dilationW);
        return new ConvSpec(strideH, strideW, v[0], v[1], h[0], h[1], dilationH, dilationW, groups);
      }
      default:
        return new ConvSpec(strideH, strideW, top, bottom, left, right, dilationH, dilationW, groups);
    }
  }

  /**
   * The padding as written in code.
   *
   * @return e.g. {@code same}, {@code valid} or {@code (1, 1, 1, 1)}
   */
  @Override
  public String toString() {
    return mode == Mode.EXPLICIT ? "(" + top + ", " + bottom + ", " + left + ", " + right + ")"
        : mode.name().toLowerCase(java.util.Locale.ROOT);
  }
}
