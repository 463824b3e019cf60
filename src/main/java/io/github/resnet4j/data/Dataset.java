package io.github.resnet4j.data;

/**
 * A finite, indexable collection of labelled images.
 *
 * <p>Implementations must be safe to read from several threads at once: {@link DataLoader} reads on a
 * background thread.
 *
 * <pre>{@code
 * Dataset train = FashionMnist.sample().train();
 * Example x = train.get(0);   // x.shape() is {1, 28, 28}
 * }</pre>
 */
public interface Dataset {
  /**
   * The number of examples.
   *
   * @return the size, non-negative
   */
  int size();

  /**
   * One example, as a fresh object the caller owns.
   *
   * @param i the index, in {@code [0, size())}
   * @return the example
   * @throws IndexOutOfBoundsException if {@code i} is out of range
   */
  Example get(int i);

  /**
   * The examples {@code from} (inclusive) to {@code to} (exclusive), as a view sharing this data set's
   * storage; {@code subset(0, n)} and {@code subset(n, size())} split a data set in two.
   *
   * @param from the first index
   * @param to the end index, exclusive
   * @return a data set of size {@code to - from}
   * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= size()}
   */
  default Dataset subset(int from, int to) {
    return new Subset(this, from, to);
  }
}
