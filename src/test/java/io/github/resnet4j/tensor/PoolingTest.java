package io.github.resnet4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** Max pooling where nothing will backpropagate keeps no indices, and gives the same bits. */
class PoolingTest {
  @Test
  void maxPoolWithoutGradientsGivesTheRecordedValues() {
    Generator gen = new Generator(41);
    // Rounded to quarters and rectified: many ties, zeros among them.
    Tensor x = Tensor.randn(gen, 2, 5, 33, 40).mul(4f).relu();
    float[] q = x.toFloatArray();
    for (int i = 0; i < q.length; i++) {
      q[i] = Math.round(q[i]) / 4f;
    }
    Tensor leaf = Tensor.of(q, 2, 5, 33, 40).requiresGrad(true);
    Tensor recorded = Functional.maxPool2d(leaf, 3, 2, 1);
    Tensor plain = Functional.maxPool2d(Tensor.of(q, 2, 5, 33, 40), 3, 2, 1);
    Tensor underNoGrad;
    try (NoGrad ignored = NoGrad.enter()) {
      underNoGrad = Functional.maxPool2d(leaf, 3, 2, 1);
    }
    assertArrayEquals(recorded.toFloatArray(), plain.toFloatArray());
    assertArrayEquals(recorded.toFloatArray(), underNoGrad.toFloatArray());
    assertFalse(underNoGrad.requiresGrad(), "no graph under NoGrad");
  }
}
