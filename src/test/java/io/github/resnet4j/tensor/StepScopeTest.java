package io.github.resnet4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import io.github.resnet4j.testing.Allocations;

class StepScopeTest {
  /** [4, 8, 48, 48]: 73,728 elements, large enough for an allocation count to see each activation. */
  private static final int[] ACTIVATION = {4, 8, 48, 48};

  /** A residual block with a classifier head, as plain functional ops on explicit parameters. */
  private static final class TinyNet {
    final Tensor w1;
    final Tensor w2;
    final Tensor gamma = Tensor.ones(8).requiresGrad(true);
    final Tensor beta = Tensor.zeros(8).requiresGrad(true);
    final Tensor runningMean = Tensor.zeros(8);
    final Tensor runningVar = Tensor.ones(8);
    final Tensor dense;
    final Tensor bias = Tensor.zeros(10).requiresGrad(true);
    /** The activations of the last forward pass, for tests that inspect them. */
    Tensor conv1;
    Tensor block;

    TinyNet(long seed) {
      Generator g = new Generator(seed);
      w1 = Tensor.randn(g, 8, 8, 3, 3).mul(0.2f).detach().requiresGrad(true);
      w2 = Tensor.randn(g, 8, 8, 3, 3).mul(0.2f).detach().requiresGrad(true);
      dense = Tensor.randn(g, 10, 8).mul(0.3f).detach().requiresGrad(true);
    }

    List<Tensor> parameters() {
      return List.of(w1, w2, gamma, beta, dense, bias);
    }

    Tensor forward(Tensor x) {
      conv1 = Functional.conv2d(x, w1, null, ConvSpec.of(1, 1));
      Tensor h = Functional.batchNormRelu(conv1, gamma, beta, runningMean, runningVar, true, 0.1f, 1e-5f);
      block = Functional.addRelu(Functional.conv2d(h, w2, null, ConvSpec.of(1, 1)), x);
      return Functional.linear(Functional.globalAvgPool2d(block), dense, bias);
    }

    /** Plain SGD, outside any scope, as an optimizer runs after the scope closed. */
    void sgdStep() {
      try (NoGrad ignored = NoGrad.enter()) {
        for (Tensor p : parameters()) {
          p.addInPlace(-0.1f, p.grad());
          p.zeroGrad();
        }
      }
    }
  }

  private static Tensor input(long seed) {
    return Tensor.randn(new Generator(seed), ACTIVATION);
  }

  private static Tensor labels() {
    return Tensor.of(new float[] {1, 3, 5, 7}, 4);
  }

  private static float[][] train(boolean scoped, int steps) {
    TinyNet net = new TinyNet(11);
    for (int step = 0; step < steps; step++) {
      Tensor x = input(100 + step);
      if (scoped) {
        try (StepScope ignored = StepScope.open()) {
          Functional.crossEntropy(net.forward(x), labels()).backward();
        }
      } else {
        Functional.crossEntropy(net.forward(x), labels()).backward();
      }
      net.sgdStep();
    }
    return net.parameters().stream().map(Tensor::toFloatArray).toArray(float[][]::new);
  }

  /** Recycled arrays come back zeroed, so reusing them never changes a result, bit for bit. */
  @Test
  void trainingInScopesGivesTheSameWeightsAsWithout() {
    float[][] plain = train(false, 4);
    float[][] scoped = train(true, 4);
    for (int i = 0; i < plain.length; i++) {
      assertArrayEquals(plain[i], scoped[i], "parameter " + i);
    }
  }

  @Test
  void theStepsTensorsAreUnreadableAfterItScalarsAndGradientsStay() {
    TinyNet net = new TinyNet(1);
    Tensor logits;
    Tensor loss;
    Tensor view;
    try (StepScope ignored = StepScope.open()) {
      logits = net.forward(input(2));
      view = net.block.reshape(4, -1);
      loss = Functional.crossEntropy(logits, labels());
      loss.backward();
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.block.toFloatArray());
    assertTrue(e.getMessage().contains("[4, 8, 48, 48]") && e.getMessage().contains("StepScope"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> net.conv1.sum());
    assertThrows(IllegalStateException.class, () -> view.get(0, 0));
    assertThrows(IllegalStateException.class, () -> net.block.reshape(-1));
    // 40 logits are recycled too: only tensors under Buffers.MIN_POOLED elements stay.
    IllegalStateException small = assertThrows(IllegalStateException.class, logits::toFloatArray);
    assertTrue(small.getMessage().contains("[4, 10]"), small.getMessage());
    assertTrue(Float.isFinite(loss.item()));
    for (Tensor p : net.parameters()) {
      assertNotNull(p.grad());
      assertTrue(Float.isFinite(p.grad().abs().sum().item()));
    }
  }

  /** A leaf as large as an activation gets its gradient in a pooled array; the leaf owns it after the scope. */
  @Test
  void aLargeLeafKeepsItsGradient() {
    float[] expected;
    {
      TinyNet net = new TinyNet(1);
      Tensor x = input(2).requiresGrad(true);
      Functional.crossEntropy(net.forward(x), labels()).backward();
      expected = x.grad().toFloatArray();
    }
    TinyNet net = new TinyNet(1);
    Tensor x = input(2).requiresGrad(true);
    try (StepScope ignored = StepScope.open()) {
      Functional.crossEntropy(net.forward(x), labels()).backward();
    }
    try (StepScope ignored = StepScope.open()) { // a second step must not take the gradient's array
      Functional.crossEntropy(net.forward(input(3)), labels()).backward();
    }
    assertArrayEquals(expected, x.grad().toFloatArray());
  }

  /** The check lives in the storage views share, so a view made on another thread during the step fails too. */
  @Test
  void aViewMadeOnAnotherThreadIsUnreadableAfterTheScope() throws Exception {
    TinyNet net = new TinyNet(1);
    Tensor otherThreadsView;
    try (StepScope ignored = StepScope.open()) {
      Tensor logits = net.forward(input(2));
      Tensor block = net.block;
      otherThreadsView = CompletableFuture.supplyAsync(() -> block.reshape(4, -1)).get();
      assertTrue(Float.isFinite(otherThreadsView.sum().item()));
      Functional.crossEntropy(logits, labels()).backward();
    }
    Tensor view = otherThreadsView;
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> CompletableFuture.supplyAsync(view::toFloatArray).get());
    assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
    assertThrows(IllegalStateException.class, view::toFloatArray);
  }

  @Test
  void keptTensorsKeepTheirValues() {
    TinyNet net = new TinyNet(1);
    float[] expected;
    Tensor kept;
    try (StepScope scope = StepScope.open()) {
      Tensor logits = net.forward(input(2));
      expected = net.block.toFloatArray();
      kept = scope.keep(net.block);
      Functional.crossEntropy(logits, labels()).backward();
    }
    // The next step takes its arrays from the pool: a kept array must not be among them.
    try (StepScope ignored = StepScope.open()) {
      Functional.crossEntropy(net.forward(input(3)), labels()).backward();
    }
    assertArrayEquals(expected, kept.toFloatArray());
  }

  @Test
  void aGraphRecordedInTheScopeCannotBeBackpropagatedAfterIt() {
    TinyNet net = new TinyNet(1);
    Tensor loss;
    try (StepScope ignored = StepScope.open()) {
      loss = Functional.crossEntropy(net.forward(input(2)), labels());
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
    assertTrue(e.getMessage().contains("StepScope closed"), e.getMessage());
    // From a recycled activation too: it must not pass for a leaf that takes the gradient and stops there.
    Tensor block = net.block;
    assertThrows(IllegalStateException.class, () -> block.backward(Tensor.ones(ACTIVATION)));
    assertNull(net.w1.grad());
  }

  @Test
  void scopesDoNotNestAndBelongToTheirThread() throws Exception {
    StepScope scope = StepScope.open();
    try {
      IllegalStateException nested = assertThrows(IllegalStateException.class, StepScope::open);
      assertTrue(nested.getMessage().contains("already open"), nested.getMessage());
      ExecutionException other = assertThrows(ExecutionException.class,
          () -> CompletableFuture.runAsync(scope::close).get());
      assertTrue(other.getCause() instanceof IllegalStateException, String.valueOf(other.getCause()));
    } finally {
      scope.close();
    }
    StepScope.open().close(); // the thread is free again
    assertThrows(IllegalStateException.class, () -> scope.keep(Tensor.zeros(1)));
  }

  /**
   * Backward hands each activation back once every op that read it has run its backward, so the rest of the
   * pass takes its gradients' memory from the step's own activations: on a thread whose pool is empty, the
   * first backward allocates one activation less than the same backward keeping its graph (which recycles
   * nothing). What it recycled refuses reads, naming backward, down to the logits; the loss stays readable.
   */
  @Test
  void backwardRecyclesEachActivationOnceTheLastOpReadingItHasRun() throws Exception {
    long activationBytes = 4L * 4 * 8 * 48 * 48;
    long recycling = onAFreshThread(() -> {
      TinyNet net = new TinyNet(1);
      try (StepScope scope = StepScope.open()) {
        Tensor logits = net.forward(input(2).requiresGrad(true));
        Tensor loss = Functional.crossEntropy(logits, labels());
        long bytes = Allocations.bytesAllocatedBy(loss::backward);
        IllegalStateException e = assertThrows(IllegalStateException.class, net.conv1::toFloatArray);
        assertTrue(e.getMessage().contains("[4, 8, 48, 48]") && e.getMessage().contains("by backward()"),
            e.getMessage());
        IllegalStateException logitsRead = assertThrows(IllegalStateException.class, logits::toFloatArray);
        assertTrue(logitsRead.getMessage().contains("[4, 10]") && logitsRead.getMessage().contains("by backward()"),
            logitsRead.getMessage());
        assertTrue(Float.isFinite(loss.item()));
        return bytes;
      }
    });
    long retaining = onAFreshThread(() -> {
      TinyNet net = new TinyNet(1);
      try (StepScope ignored = StepScope.open()) {
        Tensor loss = Functional.crossEntropy(net.forward(input(2).requiresGrad(true)), labels());
        long bytes = Allocations.bytesAllocatedBy(() -> loss.backward(Tensor.scalar(1f), true));
        assertTrue(Float.isFinite(net.conv1.sum().item()));
        return bytes;
      }
    });
    // The input's gradient keeps the block's output gradient alive while the main path backpropagates: the
    // BatchNorm's masked gradient then needs a third array, which recycling takes from the finished convolution.
    assertTrue(retaining - recycling > activationBytes / 2,
        "backward allocated " + recycling + " bytes, keeping its graph " + retaining);
  }

  /**
   * An activation that an op outside this backward's graph has read (here a linear layer on its detached
   * values, whose weight gradient needs them) is not recycled by that backward: the other graph still
   * backpropagates, with the same gradient as without a scope.
   */
  @Test
  void anActivationAnotherGraphStillNeedsIsNotRecycled() {
    float[] expected = sideGradient(false);
    assertArrayEquals(expected, sideGradient(true));
  }

  private static float[] sideGradient(boolean scoped) {
    TinyNet net = new TinyNet(1);
    Tensor probe = Tensor.randn(new Generator(4), 3, 8 * 48 * 48).mul(0.01f).detach().requiresGrad(true);
    try (StepScope scope = scoped ? StepScope.open() : null) {
      Tensor logits = net.forward(input(2));
      Tensor side = Functional.linear(net.block.detach().reshape(4, -1), probe, null).sum();
      Functional.crossEntropy(logits, labels()).backward();
      assertTrue(Float.isFinite(net.block.sum().item()));
      side.backward();
      return probe.grad().toFloatArray();
    }
  }

  /** Runs body on a new thread, so with an empty pool, and serially, so every scratch array is that thread's. */
  private static long onAFreshThread(java.util.concurrent.Callable<Long> body) throws Exception {
    java.util.concurrent.FutureTask<Long> task = new java.util.concurrent.FutureTask<>(body);
    boolean parallel = io.github.resnet4j.kernels.Parallel.isEnabled();
    io.github.resnet4j.kernels.Parallel.setEnabled(false);
    try {
      Thread thread = new Thread(task, "fresh-pool");
      thread.start();
      return task.get();
    } finally {
      io.github.resnet4j.kernels.Parallel.setEnabled(parallel);
    }
  }

  /**
   * In steady state a scoped step takes every activation from the previous step's memory: measured with the
   * JVM's per-thread allocation counter, it allocates less than one activation's worth, where the same step
   * without a scope allocates several.
   */
  @Test
  void aSteadyStateStepAllocatesLessThanOneActivation() {
    long activationBytes = 4L * 4 * 8 * 48 * 48;
    long scoped = steadyStateStepBytes(true);
    long plain = steadyStateStepBytes(false);
    assertTrue(scoped < activationBytes, "scoped step allocated " + scoped + " bytes");
    assertTrue(plain > 3 * activationBytes, "unscoped step allocated only " + plain + " bytes");
  }

  private static long steadyStateStepBytes(boolean scoped) {
    TinyNet net = new TinyNet(5);
    Tensor x = input(6);
    long last = 0;
    for (int step = 0; step < 4; step++) {
      last = Allocations.bytesAllocatedBy(() -> {
        if (scoped) {
          try (StepScope ignored = StepScope.open()) {
            Functional.crossEntropy(net.forward(x), labels()).backward();
          }
        } else {
          Functional.crossEntropy(net.forward(x), labels()).backward();
        }
      });
      net.sgdStep();
    }
    return last;
  }

  /**
   * A weight gradient computed in a scope is handed to the next step by zeroGrad: the next backward writes
   * the same array (so steps do not allocate gradients), and the old gradient tensor, with its views, refuses
   * to be read instead of showing the next step's values.
   */
  @Test
  void zeroGradHandsAScopedGradientToTheNextStep() {
    TinyNet net = new TinyNet(1);
    try (StepScope ignored = StepScope.open()) {
      Functional.crossEntropy(net.forward(input(2)), labels()).backward();
    }
    Tensor old = net.w1.grad();
    Tensor oldView = old.reshape(-1);
    float[] array1 = old.data();
    float[] array2 = net.w2.grad().data();
    float[] values = old.toFloatArray();
    for (Tensor p : net.parameters()) {
      p.zeroGrad();
    }
    assertNull(net.w1.grad());
    IllegalStateException e = assertThrows(IllegalStateException.class, old::toFloatArray);
    assertTrue(e.getMessage().contains("[8, 8, 3, 3]") && e.getMessage().contains("zeroGrad"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> oldView.get(0));
    try (StepScope ignored = StepScope.open()) {
      Functional.crossEntropy(net.forward(input(2)), labels()).backward();
    }
    // w1 and w2 have the same shape: each may get either array back, but no new one
    float[] new1 = net.w1.grad().data();
    float[] new2 = net.w2.grad().data();
    assertTrue(new1 == array1 && new2 == array2 || new1 == array2 && new2 == array1, "fresh gradient arrays");
    assertArrayEquals(values, net.w1.grad().toFloatArray()); // same input, same weights: same gradient
  }

  /** Outside a scope nothing promised that the gradient is dropped: it stays readable after zeroGrad. */
  @Test
  void aGradientComputedOutsideAScopeStaysReadableAfterZeroGrad() {
    TinyNet net = new TinyNet(1);
    Functional.crossEntropy(net.forward(input(2)), labels()).backward();
    Tensor old = net.w1.grad();
    float[] values = old.toFloatArray();
    net.w1.zeroGrad();
    Functional.crossEntropy(net.forward(input(3)), labels()).backward();
    assertArrayEquals(values, old.toFloatArray());
    assertNotSame(old.data(), net.w1.grad().data());
    // Nor is a gradient the user set, even on a parameter whose previous gradient came from a scope.
    net.w1.zeroGrad();
    try (StepScope ignored = StepScope.open()) {
      Functional.crossEntropy(net.forward(input(2)), labels()).backward();
    }
    net.w1.setGrad(Tensor.ones(8, 8, 3, 3));
    Tensor set = net.w1.grad();
    net.w1.zeroGrad();
    assertEquals(576f, set.sum().item());
  }
}
