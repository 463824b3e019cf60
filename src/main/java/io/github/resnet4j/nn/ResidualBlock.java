package io.github.resnet4j.nn;

import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code act(main(x) + shortcut(x))}: the residual block of He et al., with any main path and any
 * shortcut (a 1x1 conv + BatchNorm projection, or {@link Identity}). The activation is ReLU unless
 * given otherwise (null for none). Children are named {@code main} and {@code shortcut}.
 *
 * <pre>{@code
 * Module block = new ResidualBlock(
 *     new Sequential(new Conv2D(64, 128, 3, Conv2D.options().stride(2).same()), new BatchNorm(128), new ReLU()),
 *     new Sequential(new Conv2D(64, 128, 1, Conv2D.options().stride(2).same()), new BatchNorm(128)));
 * }</pre>
 */
public class ResidualBlock extends Module {
  private final Module main;
  private final Module shortcut;
  private final Module activation;

  /**
   * A block with a ReLU after the sum.
   *
   * @param main the main path
   * @param shortcut the shortcut path
   */
  public ResidualBlock(Module main, Module shortcut) {
    this(main, shortcut, new ReLU());
  }

  /**
   * A block with a chosen activation after the sum.
   *
   * @param main the main path
   * @param shortcut the shortcut path
   * @param activation applied to the sum, or null for none
   */
  public ResidualBlock(Module main, Module shortcut, Module activation) {
    this.main = registerModule("main", main);
    this.shortcut = registerModule("shortcut", shortcut);
    this.activation = activation;
  }

  @Override
  protected Tensor compute(Tensor x) {
    Tensor m = main.forward(x);
    Tensor s = shortcut.forward(x);
    if (!Arrays.equals(m.shape(), s.shape())) {
      throw new IllegalArgumentException("ResidualBlock: main path output " + Arrays.toString(m.shape())
          + " and shortcut output " + Arrays.toString(s.shape()) + " differ for input "
          + Arrays.toString(x.shape()));
    }
    if (activation instanceof ReLU) { // the usual ending, fused: one pass, one stored activation
      return Functional.addRelu(m, s);
    }
    Tensor sum = m.add(s);
    return activation == null ? sum : activation.forward(sum);
  }
}
