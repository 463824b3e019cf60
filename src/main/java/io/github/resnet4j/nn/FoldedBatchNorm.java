package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.Tensor;

/**
 * A BatchNorm in evaluation mode folded into the convolution before it, for inference: {@code bn(conv(x))}
 * is then one convolution with weight {@code w * s} and bias {@code (b - mean) * s + beta}, where
 * {@code s = gamma / sqrt(var + eps)} per output channel, as torch.nn.utils.fusion.fuse_conv_bn_eval
 * computes it. Outputs equal the unfolded ones within float32 rounding.
 *
 * <p>Kept with the {@link #versions} of the six tensors it came from, and recomputed only when one of
 * them changed in place (an optimizer step, a running-statistics update, loaded weights): evaluation after
 * every epoch refolds once, inference folds once.
 */
final class FoldedBatchNorm {
  private final BatchNorm bn;
  private final Tensor[] sources;
  private final long[] versions;
  private final Tensor weight;
  private final Tensor bias;

  private FoldedBatchNorm(BatchNorm bn, Tensor[] sources, long[] versions, Tensor weight, Tensor bias) {
    this.bn = bn;
    this.sources = sources;
    this.versions = versions;
    this.weight = weight;
    this.bias = bias;
  }

  /**
   * Whether {@code bn(conv(x))} may run folded: bn uses its running statistics and no gradient is recorded
   * (the folded weights are not the parameters autograd would have to reach), and the channels agree (else
   * the unfolded path reports the mismatch).
   */
  static boolean applies(Conv2D conv, BatchNorm bn) {
    return !bn.isTraining() && !NoGrad.isGradEnabled() && conv.weight().size(0) == bn.runningMean().size(0);
  }

  /** The fold of bn into conv, computed now from their current values. */
  static FoldedBatchNorm of(Conv2D conv, BatchNorm bn) {
    Tensor[] sources = {conv.weight(), conv.bias(), bn.weight(), bn.bias(), bn.runningMean(), bn.runningVar()};
    long[] versions = new long[sources.length];
    for (int i = 0; i < sources.length; i++) {
      versions[i] = sources[i] == null ? 0 : sources[i].version();
    }
    int cout = conv.weight().size(0);
    try (NoGrad ignored = NoGrad.enter()) {
      Tensor std = bn.runningVar().add(bn.eps()).sqrt();
      Tensor scale = bn.weight() == null ? Tensor.ones(cout).div(std) : bn.weight().div(std);
      Tensor w = conv.weight().mul(scale.reshape(cout, 1, 1, 1));
      Tensor b = (conv.bias() == null ? bn.runningMean().neg() : conv.bias().sub(bn.runningMean())).mul(scale);
      if (bn.bias() != null) {
        b = b.add(bn.bias());
      }
      // Copies of their own: large results belong to an open StepScope, which would recycle them on closing.
      return new FoldedBatchNorm(bn, sources, versions, Tensor.of(w.toFloatArray(), w.shape()),
          Tensor.of(b.toFloatArray(), cout));
    }
  }

  /** Whether this is bn folded into conv as they are now. */
  boolean isCurrent(Conv2D conv, BatchNorm bn) {
    if (bn != this.bn || sources[0] != conv.weight()) {
      return false;
    }
    for (int i = 0; i < sources.length; i++) {
      if (sources[i] != null && sources[i].version() != versions[i]) {
        return false;
      }
    }
    return true;
  }

  /** The folded weight [Cout, Cin/groups, kH, kW]. */
  Tensor weight() {
    return weight;
  }

  /** The folded bias [Cout]. */
  Tensor bias() {
    return bias;
  }
}
