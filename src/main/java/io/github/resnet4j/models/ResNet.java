package io.github.resnet4j.models;

import io.github.resnet4j.nn.BatchNorm;
import io.github.resnet4j.nn.Conv2D;
import io.github.resnet4j.nn.Dense;
import io.github.resnet4j.nn.Init;
import io.github.resnet4j.nn.MaxPool2D;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.nn.Padding;
import io.github.resnet4j.nn.Sequential;
import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;

/**
 * A residual network with torchvision's layout and state-dict keys: {@code conv1}, {@code bn1}, an
 * optional max pool, stages {@code layer1..layerK} of blocks, a global average pool and {@code fc}.
 * Build one through {@link Models}; this class is the one generic core behind every factory.
 *
 * <p>Input [N, C, H, W], output logits [N, classes].
 */
public final class ResNet extends Module {
  /** Which residual block a network stacks. */
  public enum Block {
    /** Two 3x3 convs ({@link BasicBlock}). */
    BASIC,
    /** 1x1, 3x3, 1x1 with expansion 4 ({@link Bottleneck}). */
    BOTTLENECK,
    /** Pre-activation basic block ({@link PreActBlock}), with a final BatchNorm-ReLU before pooling. */
    PRE_ACTIVATION
  }

  private final Conv2D conv1;
  private final BatchNorm bn1;
  private final MaxPool2D maxPool;
  private final Sequential[] stages;
  private final BatchNorm finalBn;
  private final Dense fc;

  /**
   * The generic constructor.
   *
   * @param block the block type
   * @param layers blocks per stage, e.g. {2, 2, 2, 2} for ResNet-18
   * @param widths base channels per stage, e.g. {64, 128, 256, 512}
   * @param imagenetStem true: 7x7 stride-2 conv and 3x3 stride-2 max pool; false: 3x3 stride-1 conv (CIFAR)
   * @param inChannels input channels (3 for RGB)
   * @param classes output classes
   * @param shortcut option B (projection) or A (zero padding) for basic blocks
   * @param gen generator for the initial weights
   */
  public ResNet(Block block, int[] layers, int[] widths, boolean imagenetStem, int inChannels, int classes,
      Shortcut shortcut, Generator gen) {
    if (layers.length != widths.length || layers.length == 0) {
      throw new IllegalArgumentException("ResNet: " + layers.length + " stage depths for " + widths.length
          + " stage widths");
    }
    int stem = widths[0];
    conv1 = registerModule("conv1", imagenetStem
        ? new Conv2D(inChannels, stem, 7, Conv2D.options().stride(2).padding(Padding.of(3)).bias(false).generator(gen))
        : Layers.conv3x3(inChannels, stem, 1, gen));
    bn1 = block == Block.PRE_ACTIVATION ? null : registerModule("bn1", new BatchNorm(stem));
    maxPool = imagenetStem ? new MaxPool2D(3, 2, 1) : null;
    stages = new Sequential[layers.length];
    int in = stem;
    int expansion = block == Block.BOTTLENECK ? Bottleneck.EXPANSION : 1;
    for (int s = 0; s < layers.length; s++) {
      Sequential stage = new Sequential();
      for (int b = 0; b < layers[s]; b++) {
        int stride = s > 0 && b == 0 ? 2 : 1;
        switch (block) {
          case BASIC:
            stage.add(new BasicBlock(in, widths[s], stride, shortcut, gen));
            break;
          case BOTTLENECK:
            stage.add(new Bottleneck(in, widths[s], stride, gen));
            break;
          default:
            stage.add(new PreActBlock(in, widths[s], stride, gen));
        }
        in = widths[s] * expansion;
      }
      stages[s] = registerModule("layer" + (s + 1), stage);
    }
    finalBn = block == Block.PRE_ACTIVATION ? registerModule("bn", new BatchNorm(in)) : null;
    fc = registerModule("fc", new Dense(in, classes, true, gen));
    // torchvision: kaiming-normal (fan-out, ReLU gain) for every conv; BatchNorm keeps weight 1, bias 0.
    for (Module m : namedModules().values()) {
      if (m instanceof Conv2D) {
        Init.kaimingNormalFanOut(((Conv2D) m).weight(), gen);
      }
    }
  }

  @Override
  protected Tensor compute(Tensor x) {
    Tensor y = bn1 != null ? bn1.forwardRelu(conv1, x) : conv1.forward(x);
    if (maxPool != null) {
      y = maxPool.forward(y);
    }
    for (Sequential stage : stages) {
      y = stage.forward(y);
    }
    if (finalBn != null) {
      y = finalBn.forwardRelu(y);
    }
    return fc.forward(Functional.globalAvgPool2d(y));
  }
}
