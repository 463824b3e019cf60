package io.github.resnet4j.data;

import java.util.Arrays;

/**
 * One labelled image: pixel values in channel-major order {@code [C, H, W]} and a class index.
 *
 * <p>The arrays are held as given, not copied, so that batching stays a sequence of array copies. A
 * {@link Dataset} hands out a fresh example on each {@link Dataset#get(int)}; {@link Transform}s return
 * new examples rather than writing into their input.
 *
 * @param image the pixels, {@code C * H * W} values, element {@code (c, y, x)} at {@code (c * H + y) * W + x}
 * @param shape the image shape {@code {C, H, W}}, each positive
 * @param label the class index, non-negative
 */
public record Example(float[] image, int[] shape, int label) {
  /**
   * Checks that the shape is three positive sizes whose product is the image length.
   *
   * @param image the pixels in {@code [C, H, W]} order (not copied)
   * @param shape {@code {C, H, W}} (not copied)
   * @param label the class index
   * @throws IllegalArgumentException if it is not, or the label is negative
   */
  public Example {
    if (shape.length != 3 || shape[0] <= 0 || shape[1] <= 0 || shape[2] <= 0) {
      throw new IllegalArgumentException("example: shape must be [C, H, W] with positive sizes, got "
          + Arrays.toString(shape));
    }
    if ((long) shape[0] * shape[1] * shape[2] != image.length) {
      throw new IllegalArgumentException("example: " + image.length + " values do not fill shape "
          + Arrays.toString(shape));
    }
    if (label < 0) {
      throw new IllegalArgumentException("example: label must be non-negative, got " + label);
    }
  }

  /**
   * The number of channels.
   *
   * @return {@code C}
   */
  public int channels() {
    return shape[0];
  }

  /**
   * The image height.
   *
   * @return {@code H}
   */
  public int height() {
    return shape[1];
  }

  /**
   * The image width.
   *
   * @return {@code W}
   */
  public int width() {
    return shape[2];
  }

  /**
   * The same label with other pixels.
   *
   * @param newImage the pixels
   * @param newShape their shape {@code {C, H, W}}
   * @return a new example
   */
  public Example withImage(float[] newImage, int... newShape) {
    return new Example(newImage, newShape, label);
  }
}
