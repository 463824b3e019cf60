package io.github.resnet4j.kernels;

import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A function of a weight array kept across calls, for inference, where the same weights meet batch after batch:
 * {@link RowWinograd}'s transformed weights cost as much as a small layer's whole convolution at batch 1.
 *
 * <p>Kernels see float arrays, not tensors with version counters, so each entry keeps a copy of the weights it was
 * made from and compares it in full before every use: weights changed in place (an optimizer step, loaded values)
 * are always seen. A transform is kept only once the same values come again in the same array, so a training step,
 * whose weights change every call, pays a comparison that fails at once and a copy of the weights, never a second
 * transform; inference keeps it from the third call on. Entries go with their weight arrays (weak keys, compared
 * by identity).
 */
final class TransformedWeights {
  /** Computes the transformed weights into the given array. */
  @FunctionalInterface
  interface Transform {
    void into(float[] out);
  }

  private static final Map<float[], Entry> ENTRIES = new WeakHashMap<>();

  private TransformedWeights() {}

  /**
   * The transform of {@code weight[0, length)}: the kept one if these weights, in this layout, came before and have
   * not changed since, else computed now into {@code scratch}.
   *
   * @param weight the weights; the key, by identity
   * @param length how many of its floats the transform reads
   * @param layout what else the result depends on (tile shape, channels); a different layout replaces the entry
   * @param size floats in the result
   * @param transform computes the result
   * @param scratch where a result that is not kept goes; at least size long
   * @return the result, read only: the kept array, or scratch
   */
  static float[] of(float[] weight, int length, long layout, int size, Transform transform, float[] scratch) {
    Entry entry;
    synchronized (ENTRIES) {
      entry = ENTRIES.get(weight);
      if (entry == null || entry.layout != layout || entry.length != length || entry.size != size) {
        entry = new Entry(layout, length, size);
        ENTRIES.put(weight, entry);
      }
    }
    synchronized (entry) {
      if (entry.copy != null && Arrays.equals(entry.copy, 0, length, weight, 0, length)) {
        if (entry.kept == null) {
          float[] kept = new float[size];
          transform.into(kept);
          // Published whole and never written again: callers may read it after the lock is released.
          entry.kept = kept;
        }
        return entry.kept;
      }
      if (entry.seenOnce) {
        if (entry.copy == null) {
          entry.copy = new float[length];
        }
        System.arraycopy(weight, 0, entry.copy, 0, length);
      }
      entry.seenOnce = true;
      entry.kept = null;
    }
    transform.into(scratch);
    return scratch;
  }

  /**
   * One weight array's: whether it came before, its values when it last came (copied from its second call on, so
   * that arrays made afresh for every call cost no copy), and their transform once they came unchanged.
   */
  private static final class Entry {
    final long layout;
    final int length;
    final int size;
    boolean seenOnce;
    float[] copy;
    float[] kept;

    Entry(long layout, int length, int size) {
      this.layout = layout;
      this.length = length;
      this.size = size;
    }
  }
}
