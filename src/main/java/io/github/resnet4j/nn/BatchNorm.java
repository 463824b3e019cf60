package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.Tensor;

/**
 * Batch normalisation over the channels of [N, C, H, W] or [N, C] (torch.nn.BatchNorm2d/1d).
 *
 * <p>PyTorch's convention: {@code momentum} (default 0.1) is the weight of the <em>new</em> batch
 * statistic, {@code eps} defaults to 1e-5, and the running variance is updated with the unbiased batch
 * variance. Keras writes momentum as the weight of the <em>old</em> statistic (0.99) with eps 1e-3:
 * {@link #keras(int)} builds that. State-dict entries: {@code weight}, {@code bias}, {@code running_mean},
 * {@code running_var}, {@code num_batches_tracked} (int64).
 */
public final class BatchNorm extends Module {
  /** Added to the batch count every training step; never written. */
  private static final Tensor ONE = Tensor.scalar(1f);
  private final Tensor weight;
  private final Tensor bias;
  private final Tensor runningMean;
  private final Tensor runningVar;
  private final Tensor numBatchesTracked;
  private final float momentum;
  private final float eps;

  /**
   * PyTorch defaults: momentum 0.1, eps 1e-5, affine.
   *
   * @param numFeatures channels C
   */
  public BatchNorm(int numFeatures) {
    this(numFeatures, 0.1f, 1e-5f, true);
  }

  /**
   * Explicit settings, PyTorch's momentum convention.
   *
   * @param numFeatures channels C
   * @param momentum weight of the new statistic in the running average, in [0, 1]
   * @param eps added to the variance, positive
   * @param affine whether to learn a scale (weight) and shift (bias)
   */
  public BatchNorm(int numFeatures, float momentum, float eps, boolean affine) {
    if (numFeatures < 1) {
      throw new IllegalArgumentException("BatchNorm: numFeatures must be positive, got " + numFeatures);
    }
    if (!(momentum >= 0 && momentum <= 1) || !(eps > 0)) {
      throw new IllegalArgumentException("BatchNorm: momentum must be in [0, 1] and eps positive, got momentum "
          + momentum + ", eps " + eps);
    }
    this.momentum = momentum;
    this.eps = eps;
    weight = affine ? registerParameter("weight", Tensor.ones(numFeatures)) : null;
    bias = affine ? registerParameter("bias", Tensor.zeros(numFeatures)) : null;
    runningMean = registerBuffer("running_mean", Tensor.zeros(numFeatures));
    runningVar = registerBuffer("running_var", Tensor.ones(numFeatures));
    numBatchesTracked = registerBuffer("num_batches_tracked", Tensor.ofLongs(new long[] {0}));
  }

  /**
   * Keras' BatchNormalization defaults: momentum 0.99 on the old statistic (0.01 on the new), eps 1e-3.
   *
   * @param numFeatures channels C
   * @return the layer
   */
  public static BatchNorm keras(int numFeatures) {
    return new BatchNorm(numFeatures, 0.01f, 1e-3f, true);
  }

  /**
   * The running mean [C].
   *
   * @return the live buffer
   */
  public Tensor runningMean() {
    return runningMean;
  }

  /**
   * The running (unbiased) variance [C].
   *
   * @return the live buffer
   */
  public Tensor runningVar() {
    return runningVar;
  }

  /**
   * The scale [C], or null if not affine.
   *
   * @return the live parameter
   */
  public Tensor weight() {
    return weight;
  }

  /**
   * The shift [C], or null if not affine.
   *
   * @return the live parameter
   */
  public Tensor bias() {
    return bias;
  }

  /**
   * How many training batches updated the running statistics.
   *
   * @return the count
   */
  public long numBatchesTracked() {
    return (long) numBatchesTracked.item();
  }

  /**
   * {@code relu(forward(x))} in one pass, as BatchNorm followed by ReLU inside every ResNet block: the same
   * values and gradients, with one stored activation instead of two. {@link Sequential} uses it by
   * itself wherever a BatchNorm is followed by a {@link ReLU}.
   *
   * @param x [N, C, H, W] or [N, C]
   * @return the normalised, rectified tensor, x's shape
   */
  public Tensor forwardRelu(Tensor x) {
    Tensor y = normalize(x, null, true);
    SummaryRecorder.record(this, y);
    return y;
  }

  /**
   * {@code relu(forward(x) + residual)} in one pass, as a residual block whose main path ends in this
   * BatchNorm ends: the same values and gradients, bit for bit, without storing the normalised tensor.
   * {@link ResidualBlock} uses it by itself when a path ends in a BatchNorm and the block in a ReLU.
   *
   * @param x [N, C, H, W] or [N, C]
   * @param residual x's shape, e.g. the shortcut's output
   * @return the rectified sum, x's shape
   * @throws IllegalArgumentException naming both shapes if they differ
   */
  public Tensor forwardAddRelu(Tensor x, Tensor residual) {
    if (residual == null) {
      throw new IllegalArgumentException("BatchNorm.forwardAddRelu: residual is null");
    }
    Tensor y = normalize(x, residual, true);
    SummaryRecorder.record(this, y);
    return y;
  }

  /**
   * {@code relu(forward(conv.forward(x)))}: a convolution, this BatchNorm and a ReLU, as a ResNet block
   * begins. In evaluation mode with gradients off (inside {@link io.github.resnet4j.tensor.NoGrad}), this
   * BatchNorm is folded into the convolution's weights and bias, and the convolution applies the ReLU to its
   * output while it is in cache: one pass over the activation instead of two, equal to the unfolded result
   * within float32 rounding. The fold is kept and recomputed only after the weights or statistics change.
   * Otherwise, exactly {@code forwardRelu(conv.forward(x))}.
   *
   * @param conv the convolution before this BatchNorm, with as many output channels as this has features
   * @param x the convolution's input [N, Cin, H, W]
   * @return the normalised, rectified convolution [N, C, outH, outW]
   */
  public Tensor forwardRelu(Conv2D conv, Tensor x) {
    return FoldedBatchNorm.applies(conv, this) ? conv.forwardFolded(x, this, null, true)
        : forwardRelu(conv.forward(x));
  }

  /**
   * {@code relu(forward(conv.forward(x)) + residual)}, as a residual block whose main path ends in this
   * BatchNorm ends; folded for inference as {@link #forwardRelu(Conv2D, Tensor)} is, with the residual added by
   * the convolution too. Otherwise, exactly {@code forwardAddRelu(conv.forward(x), residual)}.
   *
   * @param conv the convolution before this BatchNorm
   * @param x the convolution's input [N, Cin, H, W]
   * @param residual the convolution's output shape [N, C, outH, outW], e.g. the shortcut's output
   * @return the rectified sum [N, C, outH, outW]
   * @throws IllegalArgumentException naming both shapes if they differ
   */
  public Tensor forwardAddRelu(Conv2D conv, Tensor x, Tensor residual) {
    if (residual == null) {
      throw new IllegalArgumentException("BatchNorm.forwardAddRelu: residual is null");
    }
    return FoldedBatchNorm.applies(conv, this) ? conv.forwardFolded(x, this, residual, true)
        : forwardAddRelu(conv.forward(x), residual);
  }

  /** The epsilon added to the variance. */
  float eps() {
    return eps;
  }

  @Override
  protected Tensor compute(Tensor x) {
    return normalize(x, null, false);
  }

  private Tensor normalize(Tensor x, Tensor residual, boolean relu) {
    if ((x.dim() != 4 && x.dim() != 2) || x.size(1) != runningMean.size(0)) {
      throw new IllegalArgumentException("BatchNorm: expected input [N, " + runningMean.size(0)
          + ", H, W] or [N, " + runningMean.size(0) + "], got " + java.util.Arrays.toString(x.shape()));
    }
    if (isTraining()) {
      try (NoGrad ignored = NoGrad.enter()) {
        numBatchesTracked.addInPlace(ONE);
      }
    }
    if (residual != null) {
      return Functional.batchNormAddRelu(x, residual, weight, bias, runningMean, runningVar, isTraining(),
          momentum, eps);
    }
    return relu ? Functional.batchNormRelu(x, weight, bias, runningMean, runningVar, isTraining(), momentum, eps)
        : Functional.batchNorm(x, weight, bias, runningMean, runningVar, isTraining(), momentum, eps);
  }

  @Override
  protected String describe() {
    return runningMean.size(0) + ", eps=" + eps + ", momentum=" + momentum + (weight == null ? ", affine=false" : "");
  }
}
