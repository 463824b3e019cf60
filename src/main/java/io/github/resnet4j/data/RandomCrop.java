package io.github.resnet4j.data;

import io.github.resnet4j.tensor.Generator;
import java.util.Arrays;

/**
 * Zero-pads the image by {@code padding} pixels on every side, then cuts out a {@code size x size}
 * window at a uniformly random position, as torchvision's {@code RandomCrop(size, padding)} with the
 * default constant fill 0: {@code [C, H, W] -> [C, size, size]}.
 *
 * <p>Draws two integers: the top row {@code i} in {@code [0, H + 2p - size]}, then the left column
 * {@code j} in {@code [0, W + 2p - size]}; {@code out[c, y, x] = in[c, y + i - p, x + j - p]}, 0 outside.
 *
 * <pre>{@code
 * Transform crop = new RandomCrop(32, 4);   // the classic CIFAR augmentation
 * }</pre>
 */
public final class RandomCrop implements Transform {
  private final int size;
  private final int padding;

  /**
   * Creates the transform.
   *
   * @param size the output height and width, positive
   * @param padding the zero border added on each side first, non-negative
   * @throws IllegalArgumentException if a value is out of range
   */
  public RandomCrop(int size, int padding) {
    if (size <= 0 || padding < 0) {
      throw new IllegalArgumentException("RandomCrop: size must be positive and padding non-negative,"
          + " got size " + size + ", padding " + padding);
    }
    this.size = size;
    this.padding = padding;
  }

  @Override
  public Example apply(Example x, Generator gen) {
    int c = x.channels();
    int h = x.height();
    int w = x.width();
    if (h + 2 * padding < size || w + 2 * padding < size) {
      throw new IllegalArgumentException("RandomCrop: a " + size + "x" + size
          + " crop does not fit image shape " + Arrays.toString(x.shape()) + " padded by " + padding);
    }
    int top = gen.nextInt(h + 2 * padding - size + 1) - padding;
    int left = gen.nextInt(w + 2 * padding - size + 1) - padding;
    float[] in = x.image();
    float[] out = new float[c * size * size];
    // the output columns whose source column lies inside the image
    int x0 = Math.max(0, -left);
    int x1 = Math.min(size, w - left);
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < size; y++) {
        int sy = y + top;
        if (sy < 0 || sy >= h || x0 >= x1) {
          continue;
        }
        System.arraycopy(in, (ch * h + sy) * w + left + x0, out, (ch * size + y) * size + x0, x1 - x0);
      }
    }
    return x.withImage(out, c, size, size);
  }
}
