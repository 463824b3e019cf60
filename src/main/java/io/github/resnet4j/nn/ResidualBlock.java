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
    boolean relu = activation instanceof ReLU;
    // The usual ending: the BatchNorm that ends a path, the add and the ReLU as one node, bit for bit the same.
    BatchNorm mainBn = relu ? lastBatchNorm(main) : null;
    BatchNorm shortcutBn = relu && mainBn == null ? lastBatchNorm(shortcut) : null;
    // Inference: that BatchNorm folded into the conv before it, which also adds the other path and rectifies.
    BatchNorm endBn = mainBn != null ? mainBn : shortcutBn;
    Module ending = mainBn != null ? main : shortcut;
    Conv2D endConv = convBefore(ending, endBn);
    if (endConv != null && FoldedBatchNorm.applies(endConv, endBn)) {
      Module other = ending == main ? shortcut : main;
      Tensor o = other.forward(x);
      Tensor in = ((Sequential) ending).forwardPrefix(x, ((Sequential) ending).size() - 2);
      int[] folded = endConv.outputShape(in);
      requireSameShape(x, ending == main ? folded : o.shape(), ending == main ? o.shape() : folded);
      return recorded(ending, endConv.forwardFolded(in, endBn, o, true));
    }
    Tensor m = forwardUpTo(main, mainBn, x);
    Tensor s = forwardUpTo(shortcut, shortcutBn, x);
    // A BatchNorm keeps its input's shape, so the paths can be checked before the last one runs.
    requireSameShape(x, m.shape(), s.shape());
    if (mainBn != null) {
      return recorded(main, mainBn.forwardAddRelu(m, s));
    }
    if (shortcutBn != null) {
      return recorded(shortcut, shortcutBn.forwardAddRelu(s, m));
    }
    if (relu) { // the add and the ReLU alone, fused: one pass, one stored activation
      return Functional.addRelu(m, s);
    }
    Tensor sum = m.add(s);
    return activation == null ? sum : activation.forward(sum);
  }

  /** The BatchNorm that ends {@code path} if it is a Sequential ending in one, else null. */
  private static BatchNorm lastBatchNorm(Module path) {
    if (path instanceof Sequential && ((Sequential) path).size() > 0) {
      Module last = ((Sequential) path).get(((Sequential) path).size() - 1);
      return last instanceof BatchNorm ? (BatchNorm) last : null;
    }
    return null;
  }

  /** The Conv2D just before {@code bn} at the end of path, or null (no bn, or something else before it). */
  private static Conv2D convBefore(Module path, BatchNorm bn) {
    if (bn == null || ((Sequential) path).size() < 2) {
      return null;
    }
    Module before = ((Sequential) path).get(((Sequential) path).size() - 2);
    return before instanceof Conv2D ? (Conv2D) before : null;
  }

  private static void requireSameShape(Tensor x, int[] mainShape, int[] shortcutShape) {
    if (!Arrays.equals(mainShape, shortcutShape)) {
      throw new IllegalArgumentException("ResidualBlock: main path output " + Arrays.toString(mainShape)
          + " and shortcut output " + Arrays.toString(shortcutShape) + " differ for input "
          + Arrays.toString(x.shape()));
    }
  }

  /** The path applied to x, all of it, or all but its last BatchNorm {@code fused} when that is given. */
  private static Tensor forwardUpTo(Module path, BatchNorm fused, Tensor x) {
    return fused == null ? path.forward(x) : ((Sequential) path).forwardPrefix(x, ((Sequential) path).size() - 1);
  }

  /** The fused node's output is also its path's, for model summaries. */
  private static Tensor recorded(Module path, Tensor y) {
    SummaryRecorder.record(path, y);
    return y;
  }
}
