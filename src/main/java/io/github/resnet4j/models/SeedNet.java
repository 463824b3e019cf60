package io.github.resnet4j.models;

import io.github.resnet4j.nn.BatchNorm;
import io.github.resnet4j.nn.Conv2D;
import io.github.resnet4j.nn.Dense;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.nn.ReLU;
import io.github.resnet4j.nn.ResidualBlock;
import io.github.resnet4j.nn.Sequential;
import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;

/**
 * The seed's network, a stack of seed blocks, a global average pool and a dense layer; optionally a
 * stem conv first. Keys: {@code stem.0/1} (if any), {@code block1.main.0.weight} (3x3 conv),
 * {@code block1.main.1.*} (its BatchNorm), {@code block1.shortcut.0.*} (1x1 conv),
 * {@code block1.shortcut.1.*}, ..., {@code fc.weight}, {@code fc.bias}.
 */
public final class SeedNet extends Module {
  private final Module stem;
  private final Module[] blocks;
  private final Dense fc;

  /**
   * Builds the network.
   *
   * @param inChannels input channels
   * @param stemWidth width of a 3x3 "same" stem conv + BN + ReLU, or 0 for none
   * @param widths output channels of each seed block
   * @param strides stride of each seed block
   * @param classes output classes
   * @param gen generator for the initial weights
   */
  public SeedNet(int inChannels, int stemWidth, int[] widths, int[] strides, int classes, Generator gen) {
    if (widths.length != strides.length || widths.length == 0) {
      throw new IllegalArgumentException("SeedNet: " + widths.length + " widths for " + strides.length + " strides");
    }
    int in = inChannels;
    if (stemWidth > 0) {
      stem = registerModule("stem", new Sequential(
          new Conv2D(in, stemWidth, 3, Conv2D.options().same().generator(gen)), new BatchNorm(stemWidth), new ReLU()));
      in = stemWidth;
    } else {
      stem = null;
    }
    blocks = new Module[widths.length];
    for (int i = 0; i < widths.length; i++) {
      blocks[i] = registerModule("block" + (i + 1), seedBlock(in, widths[i], strides[i], gen));
      in = widths[i];
    }
    fc = registerModule("fc", new Dense(in, classes, true, gen));
  }

  /**
   * The seed's residual block, exactly its Keras code: main = Conv3x3(stride, same, bias) - BatchNorm -
   * ReLU; shortcut = Conv1x1(stride, same, bias) - BatchNorm; output ReLU(main + shortcut).
   *
   * @param in input channels
   * @param out output channels
   * @param stride stride of both convs
   * @param gen generator for the initial weights
   * @return the block
   */
  public static ResidualBlock seedBlock(int in, int out, int stride, Generator gen) {
    Conv2D.Options opts = Conv2D.options().stride(stride).same().generator(gen);
    return new ResidualBlock(
        new Sequential(new Conv2D(in, out, 3, opts), new BatchNorm(out), new ReLU()),
        new Sequential(new Conv2D(in, out, 1, opts), new BatchNorm(out)));
  }

  @Override
  protected Tensor compute(Tensor x) {
    Tensor y = stem == null ? x : stem.forward(x);
    for (Module b : blocks) {
      y = b.forward(y);
    }
    return fc.forward(Functional.globalAvgPool2d(y));
  }
}
