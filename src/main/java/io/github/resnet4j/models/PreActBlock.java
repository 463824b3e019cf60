package io.github.resnet4j.models;

import io.github.resnet4j.nn.BatchNorm;
import io.github.resnet4j.nn.Conv2D;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;

/**
 * The pre-activation basic block of He et al. 2016, "Identity Mappings in Deep Residual Networks":
 * {@code conv2(relu(bn2(conv1(relu(bn1(x)))))) + shortcut}, with nothing after the sum. A projection
 * shortcut (a 1x1 conv, key {@code downsample.0}) takes the pre-activated input; the identity takes x.
 */
public final class PreActBlock extends Module {
  private final BatchNorm bn1;
  private final Conv2D conv1;
  private final BatchNorm bn2;
  private final Conv2D conv2;
  private final Module projection;

  /**
   * Creates the block.
   *
   * @param in input channels
   * @param out output channels
   * @param stride stride of the first conv and of the projection
   * @param gen generator for the initial weights
   */
  public PreActBlock(int in, int out, int stride, Generator gen) {
    bn1 = registerModule("bn1", new BatchNorm(in));
    conv1 = registerModule("conv1", Layers.conv3x3(in, out, stride, gen));
    bn2 = registerModule("bn2", new BatchNorm(out));
    conv2 = registerModule("conv2", Layers.conv3x3(out, out, 1, gen));
    projection = stride == 1 && in == out ? null
        : registerModule("downsample", new io.github.resnet4j.nn.Sequential(Layers.conv1x1(in, out, stride, gen)));
  }

  @Override
  protected Tensor compute(Tensor x) {
    Tensor pre = bn1.forwardRelu(x);
    Tensor identity = projection == null ? x : projection.forward(pre);
    Tensor out = conv1.forward(pre);
    out = conv2.forward(bn2.forwardRelu(out));
    return out.add(identity);
  }
}
