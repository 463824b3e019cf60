package io.github.resnet4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.GradCheck;
import io.github.resnet4j.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fused add+ReLU that ends a residual block gives exactly what add followed by ReLU gives. */
class AddReluTest {
  /** Values and both inputs' gradients, bit for bit, with and without broadcasting. */
  @Test
  void fusedEqualsAddThenReluBitForBit() {
    Generator gen = new Generator(8);
    int[][] bShapes = {{4, 3, 5, 6}, {1, 3, 1, 1}};
    for (int[] bShape : bShapes) {
      Tensor a = Tensor.randn(gen, 4, 3, 5, 6);
      Tensor b = Tensor.randn(gen, bShape);
      Tensor upstream = Tensor.randn(gen, 4, 3, 5, 6);
      Tensor a1 = a.detach().requiresGrad(true);
      Tensor b1 = b.detach().requiresGrad(true);
      Tensor a2 = a.detach().requiresGrad(true);
      Tensor b2 = b.detach().requiresGrad(true);
      Tensor fused = Functional.addRelu(a1, b1);
      Tensor plain = a2.add(b2).relu();
      assertArrayEquals(plain.toFloatArray(), fused.toFloatArray());
      float[] v = fused.toFloatArray();
      boolean zeros = false;
      boolean positives = false;
      for (float f : v) {
        zeros |= f == 0f;
        positives |= f > 0f;
      }
      assertTrue(zeros && positives, "the test input must hit both sides of the ReLU");
      fused.backward(upstream);
      plain.backward(upstream);
      assertArrayEquals(a2.grad().toFloatArray(), a1.grad().toFloatArray());
      assertArrayEquals(b2.grad().toFloatArray(), b1.grad().toFloatArray());
      assertArrayEquals(bShape, b1.grad().shape());
    }
  }

  @Test
  void gradientsPassTheFiniteDifferenceCheck() {
    Generator gen = new Generator(9);
    // Away from the kink at 0, where the ReLU has no derivative for finite differences to find.
    Tensor a = Tensor.of(Tensor.uniform(gen, 0.2f, 1f, 2, 3).mul(Tensor.of(new float[] {1, -1, 1, -1, 1, -1}, 2, 3))
        .toFloatArray(), 2, 3).requiresGrad(true);
    Tensor b = Tensor.uniform(gen, -0.1f, 0.1f, 2, 3).requiresGrad(true);
    GradCheck.Result r = GradCheck.check(in -> Functional.addRelu(in.get(0), in.get(1)), List.of(a, b), 1e-2, 2e-3,
        2e-2);
    assertTrue(r.passed(), r.message());
  }

  @Test
  void shapesThatDoNotBroadcastAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Functional.addRelu(Tensor.zeros(2, 3), Tensor.zeros(4)));
    assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
  }

  /** ResidualBlock takes the fused path for ReLU; it must equal the block computed op by op. */
  @Test
  void residualBlockWithReluEqualsTheUnfusedExpression() {
    Generator gen = new Generator(10);
    Conv2D conv = new Conv2D(2, 2, 3, Conv2D.options().same());
    ResidualBlock block = new ResidualBlock(conv, new Identity());
    Tensor x = Tensor.randn(gen, 2, 2, 4, 4).requiresGrad(true);
    Tensor fused = block.forward(x);
    Tensor x2 = x.detach().requiresGrad(true);
    Tensor plain = conv.forward(x2).add(x2).relu();
    assertArrayEquals(plain.toFloatArray(), fused.toFloatArray());
    Tensor upstream = Tensor.randn(gen, 2, 2, 4, 4);
    fused.backward(upstream);
    Tensor convGrad = conv.weight().grad().detach();
    conv.weight().zeroGrad();
    plain.backward(upstream);
    assertArrayEquals(x2.grad().toFloatArray(), x.grad().toFloatArray());
    assertArrayEquals(conv.weight().grad().toFloatArray(), convGrad.toFloatArray());
  }
}
