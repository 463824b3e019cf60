package io.github.resnet4j.tensor;

/**
 * The array under a tensor, shared by all its views: a {@link StepScope} that recycles the array empties
 * the storage once, and every view, on any thread and made at any time, then refuses to read it.
 */
final class Storage {
  /** The values; null once recycled. Volatile so that a thread other than the scope's sees the close. */
  volatile float[] values;

  Storage(float[] values) {
    this.values = values;
  }
}
