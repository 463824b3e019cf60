package io.github.resnet4j.models;

import io.github.resnet4j.nn.BatchNorm;
import io.github.resnet4j.nn.Conv2D;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;

/**
 * torchvision's Bottleneck ("ResNet v1.5": the stride on the 3x3 conv): 1x1 reduce, 3x3, 1x1 expand by
 * 4, then {@code relu(out + shortcut(x))}. Keys {@code conv1..3, bn1..3, downsample.0, downsample.1}.
 * Input [N, in, H, W], output [N, 4*width, H/stride, W/stride].
 */
public final class Bottleneck extends Module {
  /** Output channels per unit of width. */
  public static final int EXPANSION = 4;

  private final Conv2D conv1;
  private final BatchNorm bn1;
  private final Conv2D conv2;
  private final BatchNorm bn2;
  private final Conv2D conv3;
  private final BatchNorm bn3;
  private final Module shortcut;

  /**
   * Creates the block.
   *
   * @param in input channels
   * @param width channels of the inner 3x3 conv; the output has 4 * width
   * @param stride stride of the 3x3 conv and of the shortcut
   * @param gen generator for the initial weights
   */
  public Bottleneck(int in, int width, int stride, Generator gen) {
    int out = width * EXPANSION;
    conv1 = registerModule("conv1", Layers.conv1x1(in, width, 1, gen));
    bn1 = registerModule("bn1", new BatchNorm(width));
    conv2 = registerModule("conv2", Layers.conv3x3(width, width, stride, gen));
    bn2 = registerModule("bn2", new BatchNorm(width));
    conv3 = registerModule("conv3", Layers.conv1x1(width, out, 1, gen));
    bn3 = registerModule("bn3", new BatchNorm(out));
    shortcut = stride == 1 && in == out ? null : registerModule("downsample", Layers.projection(in, out, stride, gen));
  }

  @Override
  protected Tensor compute(Tensor x) {
    Tensor out = bn1.forwardRelu(conv1, x);
    out = bn2.forwardRelu(conv2, out);
    Tensor identity = shortcut == null ? x : shortcut.forward(x);
    return bn3.forwardAddRelu(conv3, out, identity); // relu(bn3(conv3(out)) + identity), without storing bn3's
  }
}
