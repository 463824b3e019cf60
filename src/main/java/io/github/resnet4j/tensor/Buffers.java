package io.github.resnet4j.tensor;

import java.lang.ref.SoftReference;
import java.util.Arrays;

/**
 * Float arrays that the autograd engine or a step scope has proven dead, handed out again instead of new ones.
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
 * <p>Per thread, because ops allocate on the thread that calls them; arrays under 64 bytes are left to the
 * allocator. Spare arrays are held through soft references, at most a few per length, so the pool never stands
 * between the heap and an OutOfMemoryError.
 */
final class Buffers {
  /**
   * Arrays shorter than this (64 bytes: a loss, a scalar) are left to the allocator: never pooled, and never
   * recycled by a {@link StepScope}, so they stay readable after it. Every longer array a step computes comes
   * from the pool and goes back to it: an activation or a batch of logits when the scope closes (or earlier,
   * in backward), a gradient once the autograd engine has consumed it, a parameter's gradient at the next
   * {@link Tensor#zeroGrad()}, an op's private arrays (a BatchNorm's per-channel statistics, a loss's softmax)
   * with the scope. A steady-state step then allocates no arrays at all.
   */
  static final int MIN_POOLED = 16;
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
    float[] a = length < MIN_POOLED ? null : POOL.get().take(length);
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
      POOL.get().give(a);
    }
  }

  /**
   * Spare arrays by length, each length's together behind one soft reference, which every take and give
   * touches: a length in use every step is never cleared, one unused for long goes as a whole when the heap
   * needs it. Nothing here allocates once a length has been seen (no boxed keys, no iterators, no reference
   * per array), because it runs for every activation of every step.
   */
  private static final class Pool {
    private int[] lengths = new int[64];
    private Spares[] spares = new Spares[64];
    private int used;

    float[] take(int length) {
      Spares s = find(length, false);
      float[][] stack = s == null ? null : s.stack();
      if (stack == null || s.count == 0) {
        return null;
      }
      float[] a = stack[--s.count];
      stack[s.count] = null;
      return a;
    }

    void give(float[] a) {
      Spares s = find(a.length, true);
      float[][] stack = s.stack();
      if (stack == null) {
        stack = new float[PER_LENGTH][];
        s.ref = new SoftReference<>(stack);
      }
      for (int i = 0; i < s.count; i++) {
        if (stack[i] == a) { // handing it out twice would make two tensors share storage
          throw new IllegalStateException("Buffers: array of length " + a.length + " recycled twice");
        }
      }
      if (s.count < PER_LENGTH) {
        stack[s.count++] = a;
      }
    }

    /** Open addressing on the length; the table stays under half full. */
    private Spares find(int length, boolean create) {
      int mask = lengths.length - 1;
      for (int i = slot(length, mask); ; i = (i + 1) & mask) {
        if (spares[i] == null) {
          if (!create) {
            return null;
          }
          if (2 * (used + 1) > lengths.length) {
            grow();
            return find(length, true);
          }
          used++;
          lengths[i] = length;
          spares[i] = new Spares();
          return spares[i];
        }
        if (lengths[i] == length) {
          return spares[i];
        }
      }
    }

    private static int slot(int length, int mask) {
      int h = length * 0x9E3779B9; // lengths are often multiples of large powers of two: mix the high bits in
      return (h ^ h >>> 16) & mask;
    }

    private void grow() {
      int[] oldLengths = lengths;
      Spares[] oldSpares = spares;
      lengths = new int[2 * oldLengths.length];
      spares = new Spares[2 * oldSpares.length];
      int mask = lengths.length - 1;
      for (int j = 0; j < oldSpares.length; j++) {
        if (oldSpares[j] != null) {
          int i = slot(oldLengths[j], mask);
          while (spares[i] != null) {
            i = (i + 1) & mask;
          }
          lengths[i] = oldLengths[j];
          spares[i] = oldSpares[j];
        }
      }
    }
  }

  /** One length's spare arrays: {@code count} of them at the bottom of the softly held stack. */
  private static final class Spares {
    SoftReference<float[][]> ref;
    int count;

    /** The stack, or null (with count reset) if the collector cleared it. */
    float[][] stack() {
      float[][] stack = ref == null ? null : ref.get();
      if (stack == null) {
        count = 0;
      }
      return stack;
    }
  }
}
