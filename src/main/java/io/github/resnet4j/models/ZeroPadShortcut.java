package io.github.resnet4j.models;

import io.github.resnet4j.nn.Module;
import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Tensor;
import java.util.List;

/**
 * Option A shortcut: {@code x[:, :, ::s, ::s]} with the extra channels zero, split evenly before and
 * after the existing ones (as the common CIFAR ResNet implementations do).
 */
final class ZeroPadShortcut extends Module {
  private final int stride;
  private final int extraBefore;
  private final int extraAfter;

  ZeroPadShortcut(int in, int out, int stride) {
    if (out < in) {
      throw new IllegalArgumentException("ZeroPadShortcut: cannot shrink " + in + " channels to " + out);
    }
    this.stride = stride;
    this.extraBefore = (out - in) / 2;
    this.extraAfter = out - in - extraBefore;
  }

  @Override
  protected Tensor compute(Tensor x) {
    // A 1x1 max pool with stride s picks exactly every s-th row and column.
    Tensor sub = stride == 1 ? x : Functional.maxPool2d(x, 1, stride, 0);
    if (extraBefore + extraAfter == 0) {
      return sub;
    }
    int n = sub.size(0);
    int h = sub.size(2);
    int w = sub.size(3);
    return Tensor.cat(List.of(Tensor.zeros(n, extraBefore, h, w), sub, Tensor.zeros(n, extraAfter, h, w)), 1);
  }
}
