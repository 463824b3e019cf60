package io.github.resnet4j.models;

import io.github.resnet4j.nn.BatchNorm;
import io.github.resnet4j.nn.Conv2D;
import io.github.resnet4j.nn.Padding;
import io.github.resnet4j.nn.Sequential;
import io.github.resnet4j.tensor.Generator;

/** The conv helpers torchvision's resnet.py defines (conv3x3, conv1x1) and the projection shortcut. */
final class Layers {
  private Layers() {}

  /** 3x3 convolution, padding 1, no bias. */
  static Conv2D conv3x3(int in, int out, int stride, Generator gen) {
    return new Conv2D(in, out, 3, Conv2D.options().stride(stride).padding(Padding.of(1)).bias(false)
        .generator(gen));
  }

  /** 1x1 convolution, no bias. */
  static Conv2D conv1x1(int in, int out, int stride, Generator gen) {
    return new Conv2D(in, out, 1, Conv2D.options().stride(stride).bias(false).generator(gen));
  }

  /** The projection shortcut (option B): 1x1 conv with the block's stride, then BatchNorm. */
  static Sequential projection(int in, int out, int stride, Generator gen) {
    return new Sequential(conv1x1(in, out, stride, gen), new BatchNorm(out));
  }
}
