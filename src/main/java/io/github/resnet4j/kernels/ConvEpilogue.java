package io.github.resnet4j.kernels;

/**
 * What a convolution does to its output {@code y [N, C, H, W]} before anything else reads it:
 * {@code y = act(y + bias[c] + residual)}, rounded in that order (the sum, then the residual, then
 * {@code max(., 0)} for ReLU), so the result equals the separate bias add, residual add and ReLU bit for bit.
 *
 * <p>Why: each of those as a pass of its own reads and writes the whole batch's output from memory. Applied to
 * one image's output right after the tiles wrote it, while it is still in cache, they cost little; a folded
 * BatchNorm (its scale in the weights, its shift in the bias) then costs nothing extra either.
 */
final class ConvEpilogue {
  /** Nothing to apply. */
  static final ConvEpilogue NONE = new ConvEpilogue(null, null, false);

  private final float[] bias;
  private final float[] residual;
  private final boolean relu;

  /**
   * @param biasOrNull {@code [C]}, or null for none
   * @param residualOrNull y's shape, or null for none
   * @param relu whether to apply {@code max(., 0)} last
   */
  ConvEpilogue(float[] biasOrNull, float[] residualOrNull, boolean relu) {
    this.bias = biasOrNull;
    this.residual = residualOrNull;
    this.relu = relu;
  }

  /** Whether applying this leaves y as it is. */
  boolean isNone() {
    return bias == null && residual == null && !relu;
  }

  /**
   * Applies this to images {@code [from, to)} of y, on the calling thread.
   *
   * @param y {@code [N, c, hw]}
   * @param c channels
   * @param hw pixels per plane
   */
  void applyImages(float[] y, int c, int hw, int from, int to) {
    if (!isNone()) {
      applyPlanes(y, c, hw, from * c, to * c);
    }
  }

  /**
   * Applies this to all of y, in parallel: for the routes that finish no image before the last one.
   *
   * @param y {@code [n, c, hw]}
   */
  void applyAll(float[] y, int n, int c, int hw) {
    if (!isNone()) {
      Parallel.forRange(n * c, Math.max(1, Elementwise.GRAIN / Math.max(1, hw)),
          (from, to) -> applyPlanes(y, c, hw, from, to));
    }
  }

  /** Planes {@code [from, to)} of y (plane u is image u / c, channel u % c). */
  private void applyPlanes(float[] y, int c, int hw, int from, int to) {
    KernelProvider kp = Kernels.PROVIDER;
    for (int u = from; u < to; u++) {
      kp.convEpilogue(y, u * hw, hw, bias != null, bias != null ? bias[u % c] : 0f, residual, relu);
    }
  }
}
