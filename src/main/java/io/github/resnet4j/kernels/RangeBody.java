package io.github.resnet4j.kernels;

/** A loop body over the half-open index range {@code [from, to)}, run by {@link Parallel#forRange}. */
@FunctionalInterface
public interface RangeBody {
  /**
   * Processes indices {@code from} (inclusive) to {@code to} (exclusive).
   *
   * @param from first index
   * @param to one past the last index
   */
  void run(int from, int to);
}
