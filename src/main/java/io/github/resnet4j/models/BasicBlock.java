package io.github.resnet4j.models;

import io.github.resnet4j.nn.BatchNorm;
import io.github.resnet4j.nn.Conv2D;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;

/**
 * torchvision's BasicBlock: {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))}, two 3x3 convs,
 * the stride on the first. State-dict keys {@code conv1, bn1, conv2, bn2, downsample.0, downsample.1}.
 * Input [N, in, H, W], output [N, out, H/stride, W/stride].
 */
public final class BasicBlock extends Module {
  /** Output channels per unit of width: 1 for the basic block. */
  public static final int EXPANSION = 1;

  private final Conv2D conv1;
  private final BatchNorm bn1;
  private final Conv2D conv2;
  private final BatchNorm bn2;
  private final Module shortcut;

  /**
   * Creates the block, with a projection shortcut where the shape changes.
   *
   * @param in input channels
   * @param out output channels
   * @param stride stride of the first conv and of the shortcut
   * @param shortcut projection (option B) or zero padding (option A) where the shape changes
   * @param gen generator for the initial weights
   */
  public BasicBlock(int in, int out, int stride, Shortcut shortcut, Generator gen) {
    conv1 = registerModule("conv1", Layers.conv3x3(in, out, stride, gen));
    bn1 = registerModule("bn1", new BatchNorm(out));
    conv2 = registerModule("conv2", Layers.conv3x3(out, out, 1, gen));
    bn2 = registerModule("bn2", new BatchNorm(out));
    if (stride == 1 && in == out) {
      this.shortcut = null;
    } else if (shortcut == Shortcut.PROJECTION) {
      this.shortcut = registerModule("downsample", Layers.projection(in, out, stride, gen));
    } else {
      this.shortcut = new ZeroPadShortcut(in, out, stride);
    }
  }

  /** relu(main + shortcut), the add and the ReLU fused. */
  @Override
  protected Tensor compute(Tensor x) {
    Tensor out = bn1.forwardRelu(conv1, x);
    Tensor identity = shortcut == null ? x : shortcut.forward(x);
    return bn2.forwardAddRelu(conv2, out, identity); // relu(bn2(conv2(out)) + identity), without storing bn2's
  }
}
