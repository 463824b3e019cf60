package io.github.resnet4j.data;

/** Derives independent generator seeds from (seed, epoch, index) by hashing, so no draw order matters. */
final class Seeds {
  private static final long SHUFFLE = 0x53485546464C45L;
  private static final long EXAMPLE = 0x4558414D504C45L;

  private Seeds() {}

  /** The seed of the generator that shuffles one epoch. */
  static long shuffle(long seed, int epoch) {
    return mix(mix(seed, SHUFFLE), epoch);
  }

  /** The seed of the generator that transforms one example of one epoch. */
  static long example(long seed, int epoch, int index) {
    return mix(mix(mix(seed, EXAMPLE), epoch), index);
  }

  /** Hashes {@code value} into {@code state} (the MurmurHash3 64-bit finaliser, applied twice). */
  static long mix(long state, long value) {
    return fmix(state ^ fmix(value + 0x9E3779B97F4A7C15L));
  }

  private static long fmix(long z) {
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }
}
