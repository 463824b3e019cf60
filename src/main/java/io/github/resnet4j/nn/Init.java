package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.Tensor;

/**
 * Weight initialisation as torch.nn.init, drawn from a seeded generator.
 *
 * <p>Layers built without an explicit generator draw from a process-wide default, which
 * {@link #manualSeed(long)} resets, like torch.manual_seed: the same seed and the same construction
 * order give the same weights.
 */
public final class Init {
  private static Generator defaultGenerator = new Generator(0);

  private Init() {}

  /**
   * Resets the default generator that layers use for their initial weights.
   *
   * @param seed the seed
   */
  public static synchronized void manualSeed(long seed) {
    defaultGenerator = new Generator(seed);
  }

  /**
   * The default generator (shared; not thread-safe, like torch's global generator).
   *
   * @return the generator
   */
  public static synchronized Generator defaultGenerator() {
    return defaultGenerator;
  }

  /**
   * Fan-in of a weight: [out, in] gives in; [out, in/groups, kH, kW] gives in/groups * kH * kW.
   *
   * @param weight the weight
   * @return the fan-in
   */
  static int fanIn(Tensor weight) {
    int[] s = weight.shape();
    int receptive = 1;
    for (int i = 2; i < s.length; i++) {
      receptive *= s[i];
    }
    return s[1] * receptive;
  }

  static int fanOut(Tensor weight) {
    int[] s = weight.shape();
    int receptive = 1;
    for (int i = 2; i < s.length; i++) {
      receptive *= s[i];
    }
    return s[0] * receptive;
  }

  /**
   * PyTorch's default for Conv and Linear weights: kaiming-uniform with a = sqrt(5), which is
   * U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
   *
   * @param weight the weight, filled in place
   * @param gen the generator
   */
  public static void kaimingUniformDefault(Tensor weight, Generator gen) {
    uniform(weight, (float) (1.0 / Math.sqrt(fanIn(weight))), gen);
  }

  /**
   * Kaiming-normal with fan-out and ReLU gain, N(0, 2/fanOut): torchvision's ResNet conv initialisation.
   *
   * @param weight the weight, filled in place
   * @param gen the generator
   */
  public static void kaimingNormalFanOut(Tensor weight, Generator gen) {
    float std = (float) Math.sqrt(2.0 / fanOut(weight));
    try (NoGrad ignored = NoGrad.enter()) {
      weight.copyFrom(Tensor.randn(gen, weight.shape()).mul(std));
    }
  }

  /**
   * Fills with U(-bound, bound).
   *
   * @param t the tensor, filled in place
   * @param bound the half-width
   * @param gen the generator
   */
  public static void uniform(Tensor t, float bound, Generator gen) {
    try (NoGrad ignored = NoGrad.enter()) {
      t.copyFrom(Tensor.uniform(gen, -bound, bound, t.shape()));
    }
  }
}
