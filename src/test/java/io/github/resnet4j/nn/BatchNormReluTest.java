package io.github.resnet4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.NoGrad;
import io.github.resnet4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fused BatchNorm+ReLU and BatchNorm+add+ReLU give exactly what the separate layers give, values and
 * gradients.
 */
class BatchNormReluTest {
  /** Two BatchNorms with the same non-trivial parameters and running statistics, both in the given mode. */
  private static BatchNorm[] twins(Generator gen, int c, boolean training) {
    BatchNorm a = new BatchNorm(c);
    BatchNorm b = new BatchNorm(c);
    try (NoGrad ignored = NoGrad.enter()) {
      a.weight().copyFrom(Tensor.uniform(gen, 0.5f, 1.5f, c));
      a.bias().copyFrom(Tensor.uniform(gen, -0.5f, 0.5f, c));
      a.runningMean().copyFrom(Tensor.uniform(gen, -0.3f, 0.3f, c));
      a.runningVar().copyFrom(Tensor.uniform(gen, 0.5f, 2f, c));
    }
    b.loadStateDict(a.stateDict(), true);
    a.train(training);
    b.train(training);
    return new BatchNorm[] {a, b};
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void fusedEqualsBatchNormThenReluBitForBit(boolean training) {
    Generator gen = new Generator(5);
    BatchNorm[] bn = twins(gen, 3, training);
    Tensor x = Tensor.randn(gen, 4, 3, 5, 6);
    Tensor upstream = Tensor.randn(gen, 4, 3, 5, 6);
    Tensor x1 = x.detach().requiresGrad(true);
    Tensor x2 = x.detach().requiresGrad(true);

    Tensor fused = bn[0].forwardRelu(x1);
    Tensor plain = bn[1].forward(x2).relu();
    assertArrayEquals(plain.toFloatArray(), fused.toFloatArray());
    float[] values = fused.toFloatArray();
    assertTrue(min(values) == 0f && max(values) > 0f, "the test input must hit both sides of the ReLU");

    fused.backward(upstream);
    plain.backward(upstream);
    assertArrayEquals(x2.grad().toFloatArray(), x1.grad().toFloatArray());
    assertSameState(bn[1], bn[0]);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void sequentialFusesABatchNormFollowedByRelu(boolean training) {
    Generator gen = new Generator(6);
    BatchNorm[] bn = twins(gen, 2, training);
    Sequential seq = new Sequential(bn[0], new ReLU(), new Flatten());
    seq.train(training);
    Tensor x = Tensor.randn(gen, 3, 2, 4, 4);
    assertArrayEquals(bn[1].forward(x).relu().reshape(3, 32).toFloatArray(), seq.forward(x).toFloatArray());
    // A BatchNorm at the end of a Sequential, with nothing to fuse, still runs.
    Sequential last = new Sequential(new Flatten(), new BatchNorm(32));
    last.train(training);
    assertArrayEquals(new int[] {3, 32}, last.forward(x).shape());
  }

  @org.junit.jupiter.api.Test
  void functionalBatchNormReluEqualsBatchNormThenRelu() {
    Generator gen = new Generator(7);
    Tensor x = Tensor.randn(gen, 5, 4);
    Tensor gamma = Tensor.uniform(gen, 0.5f, 1.5f, 4);
    Tensor beta = Tensor.uniform(gen, -0.5f, 0.5f, 4);
    Tensor fused = Functional.batchNormRelu(x, gamma, beta, null, null, true, 0.1f, 1e-5f);
    Tensor plain = Functional.batchNorm(x, gamma, beta, null, null, true, 0.1f, 1e-5f).relu();
    assertArrayEquals(plain.toFloatArray(), fused.toFloatArray());
  }

  /** relu(bn(x) + r) fused equals addRelu(bn(x), r): values, every gradient (r's too), running statistics. */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void fusedAddReluEqualsBatchNormThenAddReluBitForBit(boolean training) {
    Generator gen = new Generator(15);
    BatchNorm[] bn = twins(gen, 3, training);
    Tensor x = Tensor.randn(gen, 4, 3, 5, 6);
    Tensor r = Tensor.randn(gen, 4, 3, 5, 6);
    Tensor upstream = Tensor.randn(gen, 4, 3, 5, 6);
    Tensor x1 = x.detach().requiresGrad(true);
    Tensor x2 = x.detach().requiresGrad(true);
    Tensor r1 = r.detach().requiresGrad(true);
    Tensor r2 = r.detach().requiresGrad(true);

    Tensor fused = bn[0].forwardAddRelu(x1, r1);
    Tensor plain = Functional.addRelu(bn[1].forward(x2), r2);
    assertArrayEquals(plain.toFloatArray(), fused.toFloatArray());
    float[] values = fused.toFloatArray();
    assertTrue(min(values) == 0f && max(values) > 0f, "the test input must hit both sides of the ReLU");

    fused.backward(upstream);
    plain.backward(upstream);
    assertArrayEquals(x2.grad().toFloatArray(), x1.grad().toFloatArray());
    assertArrayEquals(r2.grad().toFloatArray(), r1.grad().toFloatArray());
    assertSameState(bn[1], bn[0]);
  }

  @org.junit.jupiter.api.Test
  void fusedAddReluNamesMismatchedShapes() {
    BatchNorm bn = new BatchNorm(3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> bn.forwardAddRelu(Tensor.zeros(2, 3, 4, 4), Tensor.zeros(2, 3, 4, 5)));
    assertTrue(e.getMessage().contains("[2, 3, 4, 4]") && e.getMessage().contains("[2, 3, 4, 5]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> bn.forwardAddRelu(Tensor.zeros(2, 3, 4, 4), null));
  }

  /**
   * A residual block fuses the BatchNorm that ends either path with the add and the ReLU; the result equals
   * the block computed layer by layer, values and gradients, in both modes.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void residualBlocksFuseTheBatchNormEndingEitherPath(boolean training) {
    for (boolean mainEndsInBn : new boolean[] {true, false}) {
      Generator gen = new Generator(mainEndsInBn ? 21 : 22);
      BatchNorm[] bn = twins(gen, 4, training);
      Conv2D conv = new Conv2D(4, 4, 3, Conv2D.options().same().generator(gen));
      Conv2D projection = new Conv2D(4, 4, 1, Conv2D.options().generator(gen));
      ResidualBlock block = mainEndsInBn
          ? new ResidualBlock(new Sequential(conv, bn[0]), projection)
          : new ResidualBlock(new Sequential(conv, new ReLU()), new Sequential(projection, bn[0]));
      block.train(training);
      Tensor x = Tensor.randn(gen, 2, 4, 6, 6);
      Tensor x1 = x.detach().requiresGrad(true);
      Tensor x2 = x.detach().requiresGrad(true);
      Tensor fused = block.forward(x1);
      Tensor plain;
      if (mainEndsInBn) {
        plain = Functional.addRelu(bn[1].forward(conv.forward(x2)), projection.forward(x2));
      } else {
        plain = Functional.addRelu(conv.forward(x2).relu(), bn[1].forward(projection.forward(x2)));
      }
      assertArrayEquals(plain.toFloatArray(), fused.toFloatArray(), "main ends in BatchNorm: " + mainEndsInBn);
      Tensor upstream = Tensor.randn(gen, 2, 4, 6, 6);
      fused.backward(upstream);
      Tensor convGrad = Tensor.zeros(conv.weight().shape()).copyFrom(conv.weight().grad());
      Tensor bnGrad = Tensor.zeros(4).copyFrom(bn[0].weight().grad());
      conv.weight().zeroGrad();
      plain.backward(upstream);
      assertArrayEquals(x2.grad().toFloatArray(), x1.grad().toFloatArray());
      assertArrayEquals(conv.weight().grad().toFloatArray(), convGrad.toFloatArray());
      assertArrayEquals(bn[1].weight().grad().toFloatArray(), bnGrad.toFloatArray());
    }
  }

  /** The parameters' gradients and the running statistics of two twins, bit for bit. */
  private static void assertSameState(BatchNorm expected, BatchNorm actual) {
    assertArrayEquals(expected.weight().grad().toFloatArray(), actual.weight().grad().toFloatArray());
    assertArrayEquals(expected.bias().grad().toFloatArray(), actual.bias().grad().toFloatArray());
    assertArrayEquals(expected.runningMean().toFloatArray(), actual.runningMean().toFloatArray());
    assertArrayEquals(expected.runningVar().toFloatArray(), actual.runningVar().toFloatArray());
    assertEquals(expected.numBatchesTracked(), actual.numBatchesTracked());
  }

  static float min(float[] v) {
    float m = Float.POSITIVE_INFINITY;
    for (float f : v) {
      m = Math.min(m, f);
    }
    return m;
  }

  static float max(float[] v) {
    float m = Float.NEGATIVE_INFINITY;
    for (float f : v) {
      m = Math.max(m, f);
    }
    return m;
  }
}
