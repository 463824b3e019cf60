package io.github.resnet4j.data;

import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;
import java.util.Arrays;

/** The batches of one epoch: a fixed example order and everything needed to assemble batch {@code b}. */
final class BatchMaker {
  final Dataset dataset;
  final int batchSize;
  final int[] order;
  final int numBatches;
  final Transform transform;
  final long seed;
  final int epoch;

  BatchMaker(Dataset dataset, int batchSize, int[] order, int numBatches, Transform transform, long seed,
      int epoch) {
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.order = order;
    this.numBatches = numBatches;
    this.transform = transform;
    this.seed = seed;
    this.epoch = epoch;
  }

  /** Reads, transforms and stacks the examples of batch {@code b} by array copies. */
  Batch make(int b) {
    int from = b * batchSize;
    int n = Math.min(batchSize, order.length - from);
    long[] labels = new long[n];
    float[] pixels = null;
    int[] shape = null;
    int len = 0;
    for (int k = 0; k < n; k++) {
      int index = order[from + k];
      Example x = dataset.get(index);
      if (transform != null) {
        x = transform.apply(x, new Generator(Seeds.example(seed, epoch, index)));
      }
      if (shape == null) {
        shape = x.shape().clone();
        len = x.image().length;
        pixels = new float[n * len];
      } else if (!Arrays.equals(shape, x.shape())) {
        throw new IllegalStateException("DataLoader: example " + index + " has shape "
            + Arrays.toString(x.shape()) + " but example " + order[from] + " of the same batch has shape "
            + Arrays.toString(shape) + "; a batch needs equal shapes");
      }
      System.arraycopy(x.image(), 0, pixels, k * len, len);
      labels[k] = x.label();
    }
    return new Batch(Tensor.of(pixels, n, shape[0], shape[1], shape[2]), Tensor.ofLongs(labels, n));
  }
}
