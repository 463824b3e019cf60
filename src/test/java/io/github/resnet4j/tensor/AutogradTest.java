package io.github.resnet4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;

class AutogradTest {
  @Test
  void gradientsOfASimpleExpression() {
    Tensor w = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
    w.mul(w).sum().backward();
    assertArrayEquals(new float[] {2, 4, 6}, w.grad().toFloatArray());
  }

  @Test
  void gradientsAccumulateUntilZeroed() {
    Tensor w = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
    w.sum().backward();
    w.mul(3).sum().backward();
    assertArrayEquals(new float[] {4, 4}, w.grad().toFloatArray());
    w.zeroGrad();
    assertNull(w.grad());
  }

  @Test
  void sharedInputsGetTheSumOfTheirPaths() {
    Tensor x = Tensor.of(new float[] {2}, 1).requiresGrad(true);
    Tensor y = x.add(x).mul(x); // 2x^2 -> 4x
    y.sum().backward();
    assertArrayEquals(new float[] {8}, x.grad().toFloatArray());
  }

  @Test
  void broadcastGradientsAreReducedToTheInputShape() {
    Tensor a = Tensor.ones(2, 3).requiresGrad(true);
    Tensor b = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
    Tensor c = Tensor.of(new float[] {5}, 1, 1).requiresGrad(true);
    a.mul(b).add(c).sum().backward();
    assertArrayEquals(new int[] {3}, b.grad().shape());
    assertArrayEquals(new float[] {2, 2, 2}, b.grad().toFloatArray());
    assertArrayEquals(new int[] {1, 1}, c.grad().shape());
    assertEquals(6f, c.grad().item());
  }

  @Test
  void aChainOfTenThousandOpsDoesNotOverflowTheStack() {
    Tensor x = Tensor.of(new float[] {1}, 1).requiresGrad(true);
    Tensor y = x;
    for (int i = 0; i < 10_000; i++) {
      y = y.add(1f);
    }
    y.sum().backward();
    assertArrayEquals(new float[] {1}, x.grad().toFloatArray());
  }

  @Test
  void secondBackwardNeedsRetainGraph() {
    Tensor x = Tensor.of(new float[] {3}, 1).requiresGrad(true);
    Tensor y = x.mul(x).sum();
    y.backward(Tensor.scalar(1f), true);
    y.backward(Tensor.scalar(1f), false);
    assertArrayEquals(new float[] {12}, x.grad().toFloatArray());
    IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
    assertTrue(e.getMessage().contains("second time"), e.getMessage());
  }

  @Test
  void noGradScopeRecordsNothing() {
    Tensor x = Tensor.ones(2).requiresGrad(true);
    Tensor y;
    try (NoGrad ignored = NoGrad.enter()) {
      assertFalse(NoGrad.isGradEnabled());
      y = x.mul(2);
    }
    assertTrue(NoGrad.isGradEnabled());
    assertFalse(y.requiresGrad());
    assertThrows(IllegalStateException.class, () -> y.sum().backward());
  }

  @Test
  void detachStopsGradients() {
    Tensor x = Tensor.of(new float[] {2}, 1).requiresGrad(true);
    x.mul(x.detach()).sum().backward();
    assertArrayEquals(new float[] {2}, x.grad().toFloatArray());
  }

  @Test
  void upstreamShapeIsChecked() {
    Tensor x = Tensor.ones(2, 2).requiresGrad(true);
    Tensor y = x.mul(2);
    assertThrows(IllegalArgumentException.class, y::backward);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.ones(3)));
    assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[2, 2]"), e.getMessage());
    y.backward(Tensor.full(0.5f, 2, 2));
    assertArrayEquals(new float[] {1, 1, 1, 1}, x.grad().toFloatArray());
  }

  @Test
  void inPlaceChangeOfAGraphTensorIsRefused() {
    Tensor x = Tensor.ones(2).requiresGrad(true);
    Tensor y = x.mul(2);
    assertThrows(IllegalStateException.class, () -> y.addInPlace(Tensor.ones(2)));
    assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
  }

  /**
   * The graph holds what backward needs, not every intermediate result: as in PyTorch, an activation no
   * closure saved can be collected during the forward pass, and a saved one once backward is done.
   */
  @Test
  void intermediatesNoBackwardNeedsAreCollectable() {
    Tensor w = Tensor.of(new float[] {-2, -0.5f, 1, 3}, 4).requiresGrad(true);
    Tensor a = w.mul(2f); // saves nothing: its gradient is a constant
    Tensor b = a.add(w); // saves nothing
    Tensor y = b.relu(); // saves its own output for the mask
    Tensor loss = y.sum();
    WeakReference<Tensor> aRef = new WeakReference<>(a);
    WeakReference<Tensor> bRef = new WeakReference<>(b);
    WeakReference<Tensor> yRef = new WeakReference<>(y);
    a = null;
    b = null;
    y = null;
    assertTrue(collected(aRef) && collected(bRef), "unsaved intermediates stay reachable from the graph");
    assertFalse(collected(yRef), "relu's saved output must live until backward");
    loss.backward();
    assertArrayEquals(new float[] {0, 0, 3, 3}, w.grad().toFloatArray());
    assertTrue(collected(yRef), "backward without retainGraph frees what the graph saved");
  }

  @Test
  void batchNormWithoutReluDoesNotKeepItsOutput() {
    Tensor x = Tensor.randn(new Generator(3), 4, 2, 3, 3).requiresGrad(true);
    Tensor y = Functional.batchNorm(x, null, null, null, null, true, 0.1f, 1e-5f);
    Tensor loss = y.add(x).sum(); // as the second BatchNorm of a residual block feeds the add
    WeakReference<Tensor> yRef = new WeakReference<>(y);
    y = null;
    assertTrue(collected(yRef), "the unfused BatchNorm's backward needs its input, not its output");
    loss.backward();
    assertEquals(4 * 2 * 3 * 3, x.grad().numel());
  }

  private static boolean collected(WeakReference<?> ref) {
    for (int i = 0; i < 10 && ref.get() != null; i++) {
      System.gc();
    }
    return ref.get() == null;
  }
}
