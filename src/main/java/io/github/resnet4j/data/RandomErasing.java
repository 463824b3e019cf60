package io.github.resnet4j.data;

import io.github.resnet4j.tensor.Generator;
import java.util.Arrays;

/**
 * Random erasing (Zhong et al., 2017), as torchvision's {@code RandomErasing}: with probability {@code p},
 * fills a random rectangle of every channel with a constant.
 *
 * <p>The rectangle covers a fraction of the area drawn uniformly from {@code [scaleMin, scaleMax]}, with an
 * aspect ratio {@code h / w} drawn log-uniformly from {@code [ratioMin, ratioMax]}; its sides are
 * {@code h = round(sqrt(area * ratio))} and {@code w = round(sqrt(area / ratio))}. If it does not fit (up
 * to 10 tries), the image is left as it is; otherwise its top-left corner is uniform over the positions
 * where it fits. Apply it after {@link Normalize}, as torchvision does, so the fill is in normalised units.
 *
 * <pre>{@code
 * Transform erase = new RandomErasing();   // p 0.5, scale [0.02, 0.33], ratio [0.3, 3.3], value 0
 * }</pre>
 */
public final class RandomErasing implements Transform {
  private static final int ATTEMPTS = 10;

  private final double p;
  private final double scaleMin;
  private final double scaleMax;
  private final double logRatioMin;
  private final double logRatioMax;
  private final float value;

  /** Creates the transform with torchvision's defaults: p 0.5, scale [0.02, 0.33], ratio [0.3, 3.3], 0. */
  public RandomErasing() {
    this(0.5, 0.02, 0.33, 0.3, 3.3, 0f);
  }

  /**
   * Creates the transform.
   *
   * @param p the probability of erasing, in [0, 1]
   * @param scaleMin the smallest erased fraction of the area, in (0, 1]
   * @param scaleMax the largest erased fraction, in [scaleMin, 1]
   * @param ratioMin the smallest aspect ratio h / w, positive
   * @param ratioMax the largest aspect ratio, at least ratioMin
   * @param value the fill value
   * @throws IllegalArgumentException if a value is out of range
   */
  public RandomErasing(double p, double scaleMin, double scaleMax, double ratioMin, double ratioMax,
      float value) {
    if (!(p >= 0 && p <= 1) || !(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1)
        || !(ratioMin > 0 && ratioMin <= ratioMax && Double.isFinite(ratioMax))) {
      throw new IllegalArgumentException("RandomErasing: need 0 <= p <= 1, 0 < scaleMin <= scaleMax <= 1 and"
          + " 0 < ratioMin <= ratioMax, got p " + p + ", scale [" + scaleMin + ", " + scaleMax + "], ratio ["
          + ratioMin + ", " + ratioMax + "]");
    }
    this.p = p;
    this.scaleMin = scaleMin;
    this.scaleMax = scaleMax;
    this.logRatioMin = Math.log(ratioMin);
    this.logRatioMax = Math.log(ratioMax);
    this.value = value;
  }

  @Override
  public Example apply(Example x, Generator gen) {
    if (!(gen.nextFloat() < p)) {
      return x;
    }
    int imgH = x.height();
    int imgW = x.width();
    double area = (double) imgH * imgW;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double erase = area * (scaleMin + (scaleMax - scaleMin) * gen.nextDouble());
      double ratio = Math.exp(logRatioMin + (logRatioMax - logRatioMin) * gen.nextDouble());
      int h = (int) Math.rint(Math.sqrt(erase * ratio));
      int w = (int) Math.rint(Math.sqrt(erase / ratio));
      if (h >= imgH || w >= imgW) {
        continue;
      }
      int top = gen.nextInt(imgH - h + 1);
      int left = gen.nextInt(imgW - w + 1);
      float[] out = x.image().clone();
      for (int c = 0; c < x.channels(); c++) {
        for (int y = top; y < top + h; y++) {
          int row = (c * imgH + y) * imgW;
          Arrays.fill(out, row + left, row + left + w, value);
        }
      }
      return x.withImage(out, x.shape());
    }
    return x;
  }
}
