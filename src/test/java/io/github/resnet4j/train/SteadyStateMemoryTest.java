package io.github.resnet4j.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.kernels.Parallel;
import io.github.resnet4j.models.Models;
import io.github.resnet4j.nn.Init;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.optim.SGD;
import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.StepScope;
import io.github.resnet4j.tensor.Tensor;
import io.github.resnet4j.testing.Allocations;
import org.junit.jupiter.api.Test;

/**
 * Training steps leave nothing behind: the heap after a full GC is flat over 1,000 steps, so neither
 * the autograd graph, nor optimizer state, nor the kernels' scratch buffers grow with the step count.
 */
class SteadyStateMemoryTest {
  private static final int STEPS = 1_000;
  /** Growth allowed over the 1,000 steps; keeping one step's activations per step would exceed it in a few steps. */
  private static final long SLACK_BYTES = 2L << 20;

  @Test
  void heapAfterGcIsFlatOverAThousandTrainingSteps() {
    Tensor x = Tensor.randn(new Generator(3), 4, 1, 12, 12);
    Tensor y = Tensor.ofLongs(new long[] {0, 3, 7, 9}, 4);
    Runnable step = seedSmallStep(x, y, false);
    for (int i = 0; i < 50; i++) {
      step.run();
    }
    long before = heapAfterGc();
    for (int i = 0; i < STEPS; i++) {
      step.run();
    }
    long after = heapAfterGc();
    assertTrue(after - before < SLACK_BYTES,
        "heap after GC grew by " + (after - before) + " bytes over " + STEPS + " steps");
  }

  private static long heapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    // Several passes: a single System.gc() may leave objects awaiting finalization or reference processing.
    for (int i = 0; i < 3; i++) {
      System.gc();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  /**
   * A scoped training step allocates no arrays in steady state: what it allocates is the graph's bookkeeping
   * (nodes, tensor objects, the kernels' task lambdas), about the same at batch 8 and batch 128, where any
   * array that grows with the batch would differ by more than the bound: the smallest, the [128, 10] logits,
   * is 5 KiB, and one activation more than a megabyte (before pooling covered every array, batch 8 allocated
   * 1.7 MB a step and batch 128 196 KB). One thread, so the count is exact (the calling
   * thread's); bookkeeping differs by a few hundred bytes because kernels pick their routes by size.
   */
  @Test
  void aScopedStepAllocatesNothingThatGrowsWithTheBatch() {
    boolean parallel = Parallel.isEnabled();
    Parallel.setEnabled(false);
    try {
      long small = scopedStepBytes(8);
      long large = scopedStepBytes(128);
      assertTrue(Math.abs(large - small) < 2048, "a step allocated " + small + " bytes at batch 8, " + large + " at batch 128");
    } finally {
      Parallel.setEnabled(parallel);
    }
  }

  /** The fewest bytes one of several steady-state steps allocated, SGD step included. */
  private static long scopedStepBytes(int batch) {
    Tensor x = Tensor.randn(new Generator(5), batch, 1, 12, 12);
    long[] labels = new long[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = i % 10;
    }
    Runnable step = seedSmallStep(x, Tensor.ofLongs(labels, batch), true);
    long fewest = Long.MAX_VALUE;
    for (int i = 0; i < 30; i++) {
      long bytes = Allocations.bytesAllocatedBy(step);
      if (i >= 10) {
        fewest = Math.min(fewest, bytes);
      }
    }
    return fewest;
  }

  /**
   * One SGD-momentum training step of a fresh seed-small model on a fixed batch, inside a {@link StepScope} if
   * {@code scoped}, as a loop body.
   */
  private static Runnable seedSmallStep(Tensor x, Tensor y, boolean scoped) {
    Init.manualSeed(0);
    Module model = Models.create("seed-small", 1, 10);
    SGD sgd = new SGD(model.parameters(), 0.01, 0.9, 1e-4);
    model.train();
    return () -> {
      sgd.zeroGrad();
      if (scoped) {
        try (StepScope ignored = StepScope.open()) {
          Functional.crossEntropy(model.forward(x), y).backward();
        }
      } else {
        Functional.crossEntropy(model.forward(x), y).backward();
      }
      sgd.step();
    };
  }
}
