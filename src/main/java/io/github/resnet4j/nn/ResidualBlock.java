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
    if (activation instanceof ReLU) {
      // The usual ending: a path's last BatchNorm, the add and the ReLU as one node, bit for bit the same.
      if (endsInBatchNorm(main)) {
        Tensor m = ((Sequential) main).forwardPrefix(x, ((Sequential) main).size() - 1);
        Tensor s = shortcut.forward(x);
        checkShapes(m, s, x);
        return fusedEnding((Sequential) main, m, s);
      }
      if (endsInBatchNorm(shortcut)) {
        Tensor m = main.forward(x);
        Tensor s = ((Sequential) shortcut).forwardPrefix(x, ((Sequential) shortcut).size() - 1);
        checkShapes(m, s, x);
        return fusedEnding((Sequential) shortcut, s, m);
      }
    }
    Tensor m = main.forward(x);
    Tensor s = shortcut.forward(x);
    checkShapes(m, s, x);
    if (activation instanceof ReLU) { // the usual ending, fused: one pass, one stored activation
      return Functional.addRelu(m, s);
    }
    Tensor sum = m.add(s);
    return activation == null ? sum : activation.forward(sum);
  }

  private static boolean endsInBatchNorm(Module path) {
    return path instanceof Sequential && ((Sequential) path).size() > 0
        && ((Sequential) path).get(((Sequential) path).size() - 1) instanceof BatchNorm;
  }

  /** A BatchNorm keeps its input's shape, so the paths' outputs can be checked before the last one runs. */
  private static void checkShapes(Tensor m, Tensor s, Tensor x) {
    if (!Arrays.equals(m.shape(), s.shape())) {
      throw new IllegalArgumentException("ResidualBlock: main path output " + Arrays.toString(m.shape())
          + " and shortcut output " + Arrays.toString(s.shape()) + " differ for input "
          + Arrays.toString(x.shape()));
    }
  }

  /** {@code relu(bn(beforeBn) + other)} where bn ends {@code path}; records path's output for summaries. */
  private static Tensor fusedEnding(Sequential path, Tensor beforeBn, Tensor other) {
    Tensor y = ((BatchNorm) path.get(path.size() - 1)).forwardAddRelu(beforeBn, other);
    SummaryRecorder.record(path, y);
    return y;
  }
}
