package io.github.resnet4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;
import io.github.resnet4j.testing.Allocations;

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
    assertTrue(e.getMessage().contains("backward already ran"), e.getMessage());
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

  /** Big enough for {@link Buffers} to pool the gradients, and for each to outweigh a node's bookkeeping. */
  private static final int BIG = 64 * 1024;

  private static Tensor signs(int n, long seed) {
    Generator g = new Generator(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = g.nextInt(2) == 0 ? -1f - i % 3 : 1f + i % 5;
    }
    return Tensor.of(v, n);
  }

  /**
   * A residual pattern, relu(2x) + x with x a leaf, then the same through a node: the add hands one
   * buffer to both inputs, which share it until one has something added. Hand-derived gradients:
   * d/dx (relu(2x) + x) = 2 [x > 0] + 1, and through y = 3x: 3 (2 [x > 0] + 1).
   */
  @Test
  void branchesThatShareTheAddsGradientStayIndependent() {
    Tensor x = signs(BIG, 1).requiresGrad(true);
    for (int round = 0; round < 3; round++) { // later rounds run on recycled buffers
      x.zeroGrad();
      x.mul(2f).relu().add(x).sum().backward();
      float[] gx = x.grad().toFloatArray();
      Tensor y = x.mul(3f);
      Tensor w = Tensor.of(x.toFloatArray(), BIG).requiresGrad(true);
      y.mul(2f).relu().add(y).mul(w.mul(0f).add(1f)).sum().backward();
      float[] xv = x.toFloatArray();
      float[] gx2 = x.grad().toFloatArray();
      for (int i = 0; i < BIG; i++) {
        float first = xv[i] > 0 ? 3f : 1f;
        assertEquals(first, gx[i], "round " + round + " element " + i);
        assertEquals(first + 3f * first, gx2[i], "round " + round + " element " + i + " after the second graph");
      }
    }
  }

  /**
   * Pending gradients share one buffer (each add hands it to both its inputs) while another path adds
   * into one of them: that one must get a sum of its own. z = c + u with c = 3a + 5b and u = a + b,
   * a = 2x, b = relu(x): backward reaches u, then c's paths add into a's gradient while b's still shares
   * it. dz/dx = 2 (3 + 1) + [x > 0] (5 + 1), in either order of the outer add.
   */
  @Test
  void addingIntoASharedGradientCopiesItFirst() {
    Tensor x = signs(BIG, 4).requiresGrad(true);
    for (int order = 0; order < 2; order++) {
      x.zeroGrad();
      Tensor a = x.mul(2f);
      Tensor b = x.relu();
      Tensor c = a.mul(3f).add(b.mul(5f));
      Tensor u = a.add(b);
      Tensor z = order == 0 ? c.add(u) : u.add(c);
      z.sum().backward();
      float[] xv = x.toFloatArray();
      float[] gx = x.grad().toFloatArray();
      for (int i = 0; i < BIG; i++) {
        assertEquals(xv[i] > 0 ? 14f : 8f, gx[i], "order " + order + " element " + i);
      }
    }
  }

  /** Two leaves given one shared gradient must not end up sharing the array their .grad accumulates in. */
  @Test
  void leavesNeverShareAGradientArray() {
    Tensor x = signs(BIG, 5).requiresGrad(true);
    Tensor y = signs(BIG, 6).requiresGrad(true);
    x.add(y).sum().backward();
    x.add(y).sum().backward(); // accumulates into each leaf's .grad in place
    assertArrayEquals(Tensor.full(2f, BIG).toFloatArray(), x.grad().toFloatArray());
    assertArrayEquals(Tensor.full(2f, BIG).toFloatArray(), y.grad().toFloatArray());
  }

  /**
   * Recycled gradient buffers never alias a tensor the user holds: forward results kept across steps
   * keep their values while later steps run on recycled buffers.
   */
  @Test
  void recycledBuffersNeverChangeHeldTensors() {
    Tensor w = signs(BIG, 2).requiresGrad(true);
    java.util.List<Tensor> kept = new java.util.ArrayList<>();
    java.util.List<float[]> values = new java.util.ArrayList<>();
    for (int step = 0; step < 4; step++) {
      Tensor h = w.mul(1.5f).relu();
      Tensor out = h.mul(h).add(h);
      kept.add(h);
      kept.add(out);
      values.add(h.toFloatArray());
      values.add(out.toFloatArray());
      out.sum().backward();
      w.zeroGrad();
    }
    for (int i = 0; i < kept.size(); i++) {
      assertArrayEquals(values.get(i), kept.get(i).toFloatArray(), "held tensor " + i);
    }
  }

  /**
   * Once warm, the backward pass of a chain of ten layers runs on a few recycled buffers instead of
   * allocating one gradient per layer (measured with the JVM's per-thread allocation counter).
   */
  @Test
  void backwardOfAChainReusesItsGradientBuffers() {
    Tensor w = signs(BIG, 3).requiresGrad(true);
    long bytesPerArray = 4L * BIG;
    long last = 0;
    for (int step = 0; step < 3; step++) {
      Tensor h = w;
      for (int layer = 0; layer < 10; layer++) {
        h = h.mul(0.5f).relu(); // the mul's backward allocates a gradient, the relu's another
      }
      Tensor loss = h.sum();
      last = Allocations.bytesAllocatedBy(loss::backward);
      w.zeroGrad();
    }
    // 20 gradients of BIG floats would be 20 arrays; recycled, each new one reuses the previous one's.
    assertTrue(last < 4 * bytesPerArray, "backward allocated " + last / bytesPerArray + " arrays' worth");
  }

  private static boolean collected(WeakReference<?> ref) {
    for (int i = 0; i < 10 && ref.get() != null; i++) {
      System.gc();
    }
    return ref.get() == null;
  }
}
