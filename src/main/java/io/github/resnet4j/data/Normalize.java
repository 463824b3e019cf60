package io.github.resnet4j.data;

import io.github.resnet4j.tensor.Generator;
import java.util.Arrays;

/**
 * Per-channel normalisation: {@code out[c, y, x] = (in[c, y, x] - mean[c]) / std[c]}, as torchvision's
 * {@code Normalize}.
 *
 * <pre>{@code
 * Transform norm = new Normalize(new float[] {0.2860406f}, new float[] {0.3530242f});   // Fashion-MNIST
 * }</pre>
 */
public final class Normalize implements Transform {
  private final float[] mean;
  private final float[] std;

  /**
   * Creates the transform.
   *
   * @param mean one mean per channel
   * @param std one standard deviation per channel, each positive and finite
   * @throws IllegalArgumentException if the lengths differ or are zero, or a deviation is not positive
   */
  public Normalize(float[] mean, float[] std) {
    if (mean.length == 0 || mean.length != std.length) {
      throw new IllegalArgumentException("Normalize: need one mean and one std per channel, got "
          + mean.length + " means and " + std.length + " stds");
    }
    for (int c = 0; c < std.length; c++) {
      if (!(std[c] > 0) || !Float.isFinite(std[c]) || !Float.isFinite(mean[c])) {
        throw new IllegalArgumentException("Normalize: channel " + c + " has mean " + mean[c] + " and std "
            + std[c] + "; std must be positive and both finite");
      }
    }
    this.mean = mean.clone();
    this.std = std.clone();
  }

  @Override
  public Example apply(Example x, Generator gen) {
    int channels = x.channels();
    if (channels != mean.length) {
      throw new IllegalArgumentException("Normalize: image shape " + Arrays.toString(x.shape()) + " has "
          + channels + " channels, but " + mean.length + " means and stds were given");
    }
    float[] in = x.image();
    float[] out = new float[in.length];
    int plane = x.height() * x.width();
    for (int c = 0; c < channels; c++) {
      float m = mean[c];
      float s = std[c];
      for (int i = c * plane, end = i + plane; i < end; i++) {
        out[i] = (in[i] - m) / s;
      }
    }
    return x.withImage(out, x.shape());
  }
}
