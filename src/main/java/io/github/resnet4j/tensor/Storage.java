package io.github.resnet4j.tensor;

/**
 * The array under a tensor, shared by all its views: whatever recycles the array (a closing {@link StepScope},
 * or {@link Tensor#zeroGrad()} for a gradient) empties the storage once, and every view, on any thread and
 * made at any time, then refuses to read it.
 */
final class Storage {
  /** The values; null once recycled. Volatile so that a thread other than the recycler's sees it. */
  volatile float[] values;
  /** Why {@link #values} is null, for the error a later read throws. */
  volatile String releasedBecause;
  /** In-place writes so far, for {@link Tensor#version()}; volatile so that a cache on another thread sees them. */
  volatile long version;

  Storage(float[] values) {
    this.values = values;
  }

  /**
   * Empties this storage; the caller then gives the array back to {@link Buffers}.
   *
   * @param because the end of a sentence starting "its memory was recycled", and what to do instead
   */
  void release(String because) {
    releasedBecause = because;
    values = null;
  }
}
