package io.github.resnet4j.tensor;

/**
 * A seeded pseudo-random generator (SplitMix64) for reproducible tensors, initialisation, shuffling and
 * augmentation.
 *
 * <p>Draws are sequential, so results never depend on the number of threads. The whole state is one
 * {@code long}, which {@link #state()} and {@link #setState(long)} expose for checkpoints.
 *
 * <pre>{@code
 * Generator gen = new Generator(42);
 * Tensor x = Tensor.randn(gen, 2, 3);
 * }</pre>
 */
public final class Generator {
  private long state;

  /**
   * Creates a generator whose sequence is fixed by {@code seed}.
   *
   * @param seed any value; equal seeds give equal sequences
   */
  public Generator(long seed) {
    this.state = seed;
  }

  /**
   * The complete internal state, to save in a checkpoint.
   *
   * @return the state
   */
  public long state() {
    return state;
  }

  /**
   * Restores a state returned by {@link #state()}.
   *
   * @param state a saved state
   */
  public void setState(long state) {
    this.state = state;
  }

  /**
   * The next 64 uniformly distributed bits.
   *
   * @return a random long
   */
  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * A uniform float in [0, 1).
   *
   * @return the value
   */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /**
   * A uniform double in [0, 1).
   *
   * @return the value
   */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /**
   * A uniform integer in [0, bound).
   *
   * @param bound the exclusive upper bound, positive
   * @return the value
   */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("nextInt: bound must be positive, got " + bound);
    }
    return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
  }

  /**
   * A standard normal sample (Box-Muller; one pair of uniforms per sample, so the state stays one long).
   *
   * @return the value
   */
  public double nextGaussian() {
    double u1 = 1.0 - nextDouble(); // in (0, 1]: log is finite
    double u2 = nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }
}
