package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.ConvSpec;
import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;

/**
 * 2-d convolution over [N, C, H, W] (torch.nn.Conv2d; Keras Conv2D with PyTorch's layout). Weight
 * [Cout, Cin/groups, kH, kW], bias [Cout]. Output size per dimension:
 * {@code (in + padBefore + padAfter - dilation*(k-1) - 1) / stride + 1}.
 *
 * <pre>{@code
 * Conv2D conv = new Conv2D(3, 64, 3);                                  // stride 1, no padding, bias
 * Conv2D down = new Conv2D(64, 128, 3, Conv2D.options().stride(2).padding(Padding.same()));
 * }</pre>
 *
 * <p>Initialised as PyTorch: kaiming-uniform with a = sqrt(5), bias U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
 */
public final class Conv2D extends Module {
  private final Tensor weight;
  private final Tensor bias;
  /** The last BatchNorm folded into this layer for inference, or null; replaced whole, so volatile suffices. */
  volatile FoldedBatchNorm folded;
  private final Options options;

  /**
   * The options of a convolution; immutable, each setter returns a changed copy and checks its value.
   */
  public static final class Options {
    final int strideH;
    final int strideW;
    final Padding padding;
    final int dilation;
    final int groups;
    final boolean bias;
    final Generator generator;

    private Options(int strideH, int strideW, Padding padding, int dilation, int groups, boolean bias,
        Generator generator) {
      this.strideH = strideH;
      this.strideW = strideW;
      this.padding = padding;
      this.dilation = dilation;
      this.groups = groups;
      this.bias = bias;
      this.generator = generator;
    }

    /**
     * The same stride in both directions.
     *
     * @param s at least 1
     * @return the changed options
     */
    public Options stride(int s) {
      return stride(s, s);
    }

    /**
     * Strides per direction.
     *
     * @param sh vertical, at least 1
     * @param sw horizontal, at least 1
     * @return the changed options
     */
    public Options stride(int sh, int sw) {
      if (sh < 1 || sw < 1) {
        throw new IllegalArgumentException("Conv2D: stride must be at least 1, got (" + sh + ", " + sw + ")");
      }
      return new Options(sh, sw, padding, dilation, groups, bias, generator);
    }

    /**
     * The padding mode.
     *
     * @param p valid, same or explicit
     * @return the changed options
     */
    public Options padding(Padding p) {
      return new Options(strideH, strideW, java.util.Objects.requireNonNull(p, "padding"), dilation, groups, bias,
          generator);
    }

    /**
     * Shorthand for {@code padding(Padding.same())}.
     *
     * @return the changed options
     */
    public Options same() {
      return padding(Padding.same());
    }

    /**
     * Kernel dilation in both directions.
     *
     * @param d at least 1
     * @return the changed options
     */
    public Options dilation(int d) {
      if (d < 1) {
        throw new IllegalArgumentException("Conv2D: dilation must be at least 1, got " + d);
      }
      return new Options(strideH, strideW, padding, d, groups, bias, generator);
    }

    /**
     * Channel groups (1: dense convolution; in channels: depthwise).
     *
     * @param g at least 1, dividing both channel counts
     * @return the changed options
     */
    public Options groups(int g) {
      if (g < 1) {
        throw new IllegalArgumentException("Conv2D: groups must be at least 1, got " + g);
      }
      return new Options(strideH, strideW, padding, dilation, g, bias, generator);
    }

    /**
     * Whether to add a per-channel bias (default true, as PyTorch and Keras).
     *
     * @param b true for a bias
     * @return the changed options
     */
    public Options bias(boolean b) {
      return new Options(strideH, strideW, padding, dilation, groups, b, generator);
    }

    /**
     * The generator for the initial weights (default: {@link Init#defaultGenerator()}).
     *
     * @param gen the generator
     * @return the changed options
     */
    public Options generator(Generator gen) {
      return new Options(strideH, strideW, padding, dilation, groups, bias, gen);
    }
  }

  /**
   * Default options: stride 1, valid padding, dilation 1, one group, with bias.
   *
   * @return the options
   */
  public static Options options() {
    return new Options(1, 1, Padding.valid(), 1, 1, true, null);
  }

  /**
   * A convolution with default options.
   *
   * @param inChannels input channels C
   * @param outChannels output channels Cout
   * @param kernel square kernel size
   */
  public Conv2D(int inChannels, int outChannels, int kernel) {
    this(inChannels, outChannels, kernel, options());
  }

  /**
   * A convolution with options.
   *
   * @param inChannels input channels C
   * @param outChannels output channels Cout
   * @param kernel square kernel size
   * @param options stride, padding, dilation, groups, bias
   */
  public Conv2D(int inChannels, int outChannels, int kernel, Options options) {
    if (inChannels < 1 || outChannels < 1 || kernel < 1) {
      throw new IllegalArgumentException("Conv2D: channels and kernel must be positive, got in=" + inChannels
          + ", out=" + outChannels + ", kernel=" + kernel);
    }
    if (inChannels % options.groups != 0 || outChannels % options.groups != 0) {
      throw new IllegalArgumentException("Conv2D: in channels " + inChannels + " and out channels " + outChannels
          + " must both be divisible by groups " + options.groups);
    }
    this.options = options;
    Generator gen = options.generator == null ? Init.defaultGenerator() : options.generator;
    weight = registerParameter("weight", Tensor.zeros(outChannels, inChannels / options.groups, kernel, kernel));
    Init.kaimingUniformDefault(weight, gen);
    if (options.bias) {
      bias = registerParameter("bias", Tensor.zeros(outChannels));
      Init.uniform(bias, (float) (1.0 / Math.sqrt(Init.fanIn(weight))), gen);
    } else {
      bias = null;
    }
  }

  /**
   * The weight [Cout, Cin/groups, k, k].
   *
   * @return the live parameter
   */
  public Tensor weight() {
    return weight;
  }

  /**
   * The bias [Cout], or null.
   *
   * @return the live parameter
   */
  public Tensor bias() {
    return bias;
  }

  @Override
  protected Tensor compute(Tensor x) {
    return Functional.conv2d(x, weight, bias, spec(x));
  }

  /**
   * {@code relu?(bn(this(x)) + residual?)} with bn folded into this convolution ({@link FoldedBatchNorm}); the
   * caller has checked {@link FoldedBatchNorm#applies}. Records the output as this layer's and bn's.
   *
   * @param residual the output's shape, or null
   */
  Tensor forwardFolded(Tensor x, BatchNorm bn, Tensor residual, boolean relu) {
    FoldedBatchNorm fold = folded;
    if (fold == null || !fold.isCurrent(this, bn)) {
      fold = FoldedBatchNorm.of(this, bn);
      folded = fold;
    }
    Tensor y = Functional.conv2d(x, fold.weight(), fold.bias(), spec(x), residual, relu);
    SummaryRecorder.record(this, y);
    SummaryRecorder.record(bn, y);
    return y;
  }

  /** The output shape [N, Cout, outH, outW] for input x, as {@link #forward} would compute it. */
  int[] outputShape(Tensor x) {
    ConvSpec s = spec(x);
    int k = weight.size(2);
    return new int[] {x.size(0), weight.size(0), s.outputHeight(x.size(2), k), s.outputWidth(x.size(3), k)};
  }

  /** The padding resolved for x's size, after checking x's channels. */
  private ConvSpec spec(Tensor x) {
    if (x.dim() != 4 || x.size(1) != weight.size(1) * options.groups) {
      throw new IllegalArgumentException("Conv2D: expected input [N, " + weight.size(1) * options.groups
          + ", H, W], got " + java.util.Arrays.toString(x.shape()));
    }
    int k = weight.size(2);
    return options.padding.resolve(x.size(2), x.size(3), k, k, options.strideH, options.strideW, options.dilation,
        options.dilation, options.groups);
  }

  @Override
  protected String describe() {
    return weight.size(1) * options.groups + ", " + weight.size(0) + ", kernel=" + weight.size(2)
        + (options.strideH != 1 || options.strideW != 1 ? ", stride=" + options.strideH
            + (options.strideW != options.strideH ? "x" + options.strideW : "") : "")
        + ", padding=" + options.padding
        + (options.dilation != 1 ? ", dilation=" + options.dilation : "")
        + (options.groups != 1 ? ", groups=" + options.groups : "")
        + (bias == null ? ", bias=false" : "");
  }
}
