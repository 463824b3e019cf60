package io.github.resnet4j.tensor;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Large float arrays that the autograd engine has proven dead, handed out again instead of new ones.
 *
 * <p>Arrays come back from two places that can prove them dead, since Java cannot tell when user code drops
 * a tensor: {@link Autograd}, for gradients it owned alone and has consumed, so a backward pass reuses a
 * handful of buffers along each chain of layers; and a closing {@link StepScope}, for everything its step
 * computed, so the next step's forward pass runs on the previous step's activations.
 *
 * <p>Arrays are handed out with unspecified contents, because every caller passes them to a kernel that
 * overwrites every element (each kernel's Javadoc says "overwritten"): zeroing them first was a redundant
 * pass over each activation and gradient. With the system property {@code resnet4j.poisonBuffers=true} (the
 * test suite sets it) every array is filled with NaN instead, fresh ones too, so an element a kernel fails to
 * write shows up as NaN in the results the tests compare.
 *
 * <p>Per thread, because ops allocate on the thread that calls them; arrays under 1 KiB are left to the
 * allocator, which is faster for them. Spare arrays are held through soft references, at most a few
 * per length, so the pool never stands between the heap and an OutOfMemoryError.
 */
final class Buffers {
  /**
   * Arrays at least this long (256 KiB) belong to the open {@link StepScope}, which recycles them when it
   * closes; shorter ones (losses, logits, per-channel statistics) stay readable after the scope.
   */
  static final int MIN_POOLED = 64 * 1024;
  /**
   * Arrays shorter than this (1 KiB) are never pooled: the allocator's thread-local buffers serve them faster.
   * Between this and {@link #MIN_POOLED} arrays come back only from the autograd engine and from
   * {@link Tensor#zeroGrad()}: a conv's weight gradient (ResNet-20's are 144 to 36,864 floats) is then the
   * previous step's array instead of a new one.
   */
  static final int MIN_RECYCLED = 256;
  /**
   * Spare arrays kept per length: a step scope gives back every activation of a stage at once (ResNet-20
   * has about 20 per stage), and anything beyond this is left to the garbage collector.
   */
  private static final int PER_LENGTH = 64;

  private static final ThreadLocal<Pool> POOL = ThreadLocal.withInitial(Pool::new);

  private Buffers() {}

  private static final boolean POISON = Boolean.getBoolean("resnet4j.poisonBuffers");

  /**
   * An array for a kernel to overwrite completely, recycled when one of that length is spare.
   *
   * @param length its length
   * @return the array, contents unspecified (NaN when poisoning)
   */
  static float[] forOutput(int length) {
    float[] a = length < MIN_RECYCLED ? null : POOL.get().take(length);
    if (a == null) {
      a = new float[length];
    }
    if (POISON) {
      Arrays.fill(a, Float.NaN);
    }
    if (length >= MIN_POOLED) {
      StepScope.handedOut(a);
    }
    return a;
  }

  /**
   * Gives back an array that nothing refers to any more; the caller must be sure of that.
   *
   * @param a the dead array
   */
  static void recycle(float[] a) {
    if (a.length >= MIN_POOLED) {
      StepScope.released(a);
    }
    if (a.length >= MIN_RECYCLED) {
      POOL.get().give(a);
    }
  }

  /** Spare arrays are softly held: a pool on a thread that stopped training never keeps memory from the heap. */
  private static final class Pool {
    private final Map<Integer, ArrayDeque<SoftReference<float[]>>> free = new HashMap<>();

    float[] take(int length) {
      ArrayDeque<SoftReference<float[]>> q = free.get(length);
      while (q != null && !q.isEmpty()) {
        float[] a = q.poll().get();
        if (a != null) {
          return a;
        }
      }
      return null;
    }

    void give(float[] a) {
      ArrayDeque<SoftReference<float[]>> q = free.computeIfAbsent(a.length, k -> new ArrayDeque<>());
      q.removeIf(r -> r.get() == null);
      for (SoftReference<float[]> spare : q) {
        if (spare.get() == a) { // handing it out twice would make two tensors share storage
          throw new IllegalStateException("Buffers: array of length " + a.length + " recycled twice");
        }
      }
      if (q.size() < PER_LENGTH) {
        q.push(new SoftReference<>(a));
      }
    }
  }
}
