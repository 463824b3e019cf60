package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;

/**
 * Fully connected layer {@code y = x W^T + b} (torch.nn.Linear; Keras Dense). Weight [out, in] as in
 * PyTorch: a Keras kernel is its transpose. Input [N, in] (or [..., in]), output [N, out].
 * Initialised as PyTorch does: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias.
 */
public final class Dense extends Module {
  private final Tensor weight;
  private final Tensor bias;

  /**
   * A layer with bias, initialised from the default generator.
   *
   * @param inFeatures input size
   * @param outFeatures output size
   */
  public Dense(int inFeatures, int outFeatures) {
    this(inFeatures, outFeatures, true, Init.defaultGenerator());
  }

  /**
   * A layer with or without bias, initialised from {@code gen}.
   *
   * @param inFeatures input size
   * @param outFeatures output size
   * @param bias whether to add a bias
   * @param gen the generator for the initial weights
   */
  public Dense(int inFeatures, int outFeatures, boolean bias, Generator gen) {
    if (inFeatures <= 0 || outFeatures <= 0) {
      throw new IllegalArgumentException("Dense: features must be positive, got in=" + inFeatures
          + ", out=" + outFeatures);
    }
    weight = registerParameter("weight", Tensor.zeros(outFeatures, inFeatures));
    Init.kaimingUniformDefault(weight, gen);
    if (bias) {
      this.bias = registerParameter("bias", Tensor.zeros(outFeatures));
      Init.uniform(this.bias, (float) (1.0 / Math.sqrt(inFeatures)), gen);
    } else {
      this.bias = null;
    }
  }

  /**
   * The weight [out, in].
   *
   * @return the live parameter
   */
  public Tensor weight() {
    return weight;
  }

  /**
   * The bias [out], or null.
   *
   * @return the live parameter
   */
  public Tensor bias() {
    return bias;
  }

  @Override
  protected Tensor compute(Tensor x) {
    return Functional.linear(x, weight, bias);
  }

  @Override
  protected String describe() {
    return "in=" + weight.size(1) + ", out=" + weight.size(0) + (bias == null ? ", bias=false" : "");
  }
}
