package io.github.resnet4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.StepScope;
import io.github.resnet4j.tensor.Tensor;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * BatchNorm folded into the convolution before it, in evaluation mode under NoGrad: equal to the unfolded
 * layers within float32 rounding, refolded after any in-place change of the six tensors it came from, and
 * never used where it would be wrong (training mode, gradients on).
 */
class FoldedBatchNormTest {
  private static final double RTOL = 1e-5;
  private static final double ATOL = 1e-5;

  /** A BatchNorm with non-trivial scale, shift and running statistics. */
  static BatchNorm randomized(Generator gen, BatchNorm bn) {
    int c = bn.runningMean().size(0);
    try (NoGrad ignored = NoGrad.enter()) {
      if (bn.weight() != null) {
        bn.weight().copyFrom(Tensor.uniform(gen, 0.5f, 1.5f, c));
        bn.bias().copyFrom(Tensor.uniform(gen, -0.5f, 0.5f, c));
      }
      bn.runningMean().copyFrom(Tensor.uniform(gen, -0.3f, 0.3f, c));
      bn.runningVar().copyFrom(Tensor.uniform(gen, 0.5f, 2f, c));
    }
    return bn;
  }

  /** The unfolded result: evaluation mode with gradients on takes the layers one by one. */
  private static Tensor unfolded(Supplier<Tensor> forward) {
    return forward.get().detach();
  }

  private static Tensor folded(Supplier<Tensor> forward) {
    try (NoGrad ignored = NoGrad.enter()) {
      return forward.get();
    }
  }

  private static void assertClose(Tensor expected, Tensor actual, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what);
    assertTrue(expected.allClose(actual, RTOL, ATOL), what + ": folded " + actual + " vs unfolded " + expected);
  }

  @Test
  void convBatchNormReluFoldsWithinRounding() {
    Generator gen = new Generator(21);
    for (boolean convBias : new boolean[] {true, false}) {
      for (boolean affine : new boolean[] {true, false}) {
        Conv2D conv = new Conv2D(5, 12, 3, Conv2D.options().stride(2).same().bias(convBias).generator(gen));
        BatchNorm bn = randomized(gen, new BatchNorm(12, 0.1f, 1e-5f, affine));
        Sequential layers = new Sequential(conv, bn, new ReLU());
        layers.eval();
        Tensor x = Tensor.randn(gen, 3, 5, 11, 9);
        Tensor expected = unfolded(() -> layers.forward(x));
        assertNull(conv.folded, "gradients on: not folded");
        Tensor actual = folded(() -> layers.forward(x));
        assertNotNull(conv.folded, "NoGrad and evaluation mode: folded");
        assertClose(expected, actual, "bias " + convBias + ", affine " + affine);
        float[] v = actual.toFloatArray();
        assertTrue(BatchNormReluTest.min(v) == 0f && BatchNormReluTest.max(v) > 0f,
            "the test input must hit both sides of the ReLU");
        // The public entry point, as a custom block calls it.
        assertClose(expected, folded(() -> bn.forwardRelu(conv, x)), "BatchNorm.forwardRelu(conv, x)");
      }
    }
  }

  @Test
  void aChangeToAnyOfTheSixTensorsRefolds() {
    Generator gen = new Generator(22);
    Conv2D conv = new Conv2D(4, 8, 3, Conv2D.options().same().generator(gen));
    BatchNorm bn = randomized(gen, new BatchNorm(8));
    Sequential layers = new Sequential(conv, bn);
    layers.eval();
    Tensor x = Tensor.randn(gen, 2, 4, 6, 6);
    folded(() -> layers.forward(x));
    FoldedBatchNorm first = conv.folded;
    folded(() -> layers.forward(x));
    assertTrue(conv.folded == first, "unchanged tensors: the fold is reused");
    Tensor[] sources = {conv.weight(), conv.bias(), bn.weight(), bn.bias(), bn.runningMean(), bn.runningVar()};
    for (Tensor source : sources) {
      Tensor before = folded(() -> layers.forward(x));
      try (NoGrad ignored = NoGrad.enter()) {
        source.narrow(0, 1, 1).mulInPlace(1.5f).addInPlace(Tensor.scalar(0.25f)); // through a view
      }
      Tensor expected = unfolded(() -> layers.forward(x));
      Tensor after = folded(() -> layers.forward(x));
      assertClose(expected, after, "after changing a tensor of shape " + java.util.Arrays.toString(source.shape()));
      assertFalse(before.allClose(after, 0, 0), "the change must show in the output");
    }
  }

  @Test
  void trainingModeAndRecordedGradientsNeverFold() {
    Generator gen = new Generator(23);
    Conv2D conv = new Conv2D(3, 6, 3, Conv2D.options().same().generator(gen));
    BatchNorm bn = randomized(gen, new BatchNorm(6));
    Tensor x = Tensor.randn(gen, 2, 3, 5, 5);
    Tensor residual = Tensor.randn(gen, 2, 6, 5, 5);
    for (boolean training : new boolean[] {true, false}) {
      // Training mode updates the running statistics: each call gets a twin with the same starting ones.
      BatchNorm twin = new BatchNorm(6);
      twin.loadStateDict(bn.stateDict(), true);
      conv.train(training);
      bn.train(training);
      twin.train(training);
      Tensor x1 = x.detach().requiresGrad(true);
      Tensor x2 = x.detach().requiresGrad(true);
      Tensor viaConv = bn.forwardAddRelu(conv, x1, residual);
      Tensor separate = twin.forwardAddRelu(conv.forward(x2), residual);
      assertArrayEquals(separate.toFloatArray(), viaConv.toFloatArray(), "training " + training);
      viaConv.sum().backward();
      separate.sum().backward();
      assertArrayEquals(x2.grad().toFloatArray(), x1.grad().toFloatArray(), "training " + training);
      assertNull(conv.folded);
    }
    bn.eval();
    try (NoGrad ignored = NoGrad.enter()) {
      bn.train();
      bn.forwardRelu(conv, x);
      assertNull(conv.folded, "training mode under NoGrad uses batch statistics: not folded");
    }
  }

  @Test
  void residualBlocksFoldTheBatchNormThatEndsAPath() {
    Generator gen = new Generator(24);
    // The seed's block (the shortcut ends in a BatchNorm) and a basic block (the main path does).
    Module seed = io.github.resnet4j.models.SeedNet.seedBlock(4, 8, 2, gen);
    Conv2D mainEnd = new Conv2D(8, 8, 3, Conv2D.options().same().bias(false).generator(gen));
    Module basic = new ResidualBlock(new Sequential(new Conv2D(8, 8, 3, Conv2D.options().same().generator(gen)),
        randomized(gen, new BatchNorm(8)), new ReLU(), mainEnd, randomized(gen, new BatchNorm(8))), new Identity());
    for (Module m : seed.namedModules().values()) {
      if (m instanceof BatchNorm) {
        randomized(gen, (BatchNorm) m);
      }
    }
    Module both = new Sequential(seed, basic);
    both.eval();
    Tensor x = Tensor.randn(gen, 3, 4, 10, 10);
    Tensor expected = unfolded(() -> both.forward(x));
    Tensor actual = folded(() -> both.forward(x));
    assertClose(expected, actual, "seed block then basic block");
    assertNotNull(mainEnd.folded);
    // Inside a step scope, as evaluation runs: the fold outlives the scope.
    try (StepScope step = StepScope.open(); NoGrad ignored = NoGrad.enter()) {
      assertClose(expected, both.forward(x), "in a step scope");
    }
    assertClose(expected, folded(() -> both.forward(x)), "after the step scope closed");

    Module mismatched = new ResidualBlock(new Sequential(new Conv2D(4, 8, 3, Conv2D.options().stride(2).same()),
        new BatchNorm(8)), new Identity());
    mismatched.eval();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> folded(() -> mismatched.forward(Tensor.randn(gen, 1, 4, 6, 6))));
    assertTrue(e.getMessage().contains("[1, 8, 3, 3]") && e.getMessage().contains("[1, 4, 6, 6]"), e.getMessage());
  }
}
