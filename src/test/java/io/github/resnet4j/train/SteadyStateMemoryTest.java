package io.github.resnet4j.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.models.Models;
import io.github.resnet4j.nn.Init;
import io.github.resnet4j.nn.Module;
import io.github.resnet4j.optim.SGD;
import io.github.resnet4j.tensor.Functional;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;
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
    Init.manualSeed(0);
    Module model = Models.create("seed-small", 1, 10);
    Generator gen = new Generator(3);
    Tensor x = Tensor.randn(gen, 4, 1, 12, 12);
    Tensor y = Tensor.ofLongs(new long[] {0, 3, 7, 9}, 4);
    SGD sgd = new SGD(model.parameters(), 0.01, 0.9, 1e-4);
    model.train();
    Runnable step = () -> {
      sgd.zeroGrad();
      Functional.crossEntropy(model.forward(x), y).backward();
      sgd.step();
    };
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
}
