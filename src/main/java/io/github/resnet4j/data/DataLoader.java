package io.github.resnet4j.data;

import io.github.resnet4j.tensor.Generator;
import java.util.Objects;

/**
 * Iterates a {@link Dataset} in mini-batches, optionally shuffled and transformed, loading ahead on a
 * background thread.
 *
 * <p>Everything random is a function of the seed: epoch {@code e} visits the examples in an order fixed
 * by {@code (seed, e)}, and example {@code i} is transformed with a {@link Generator} seeded from
 * {@code (seed, e, i)}. So batches are the same with or without prefetching and on any machine, and a
 * checkpoint only needs {@link #seed()} and {@link #epoch()} (plus the batch reached, for
 * {@link #iterator(int, int)}).
 *
 * <pre>{@code
 * DataLoader loader = new DataLoader(train, 128).shuffle(true).seed(42)
 *     .transform(new RandomCrop(28, 2).andThen(FashionMnist.normalize()));
 * for (int e = 0; e < 10; e++) {
 *   for (Batch b : loader) {        // each pass is the next epoch
 *     step(b.images(), b.labels());  // [128, 1, 28, 28] and [128]
 *   }
 * }
 * }</pre>
 */
public final class DataLoader implements Iterable<Batch> {
  private final Dataset dataset;
  private final int batchSize;
  private boolean shuffle;
  private boolean dropLast;
  private long seed;
  private Transform transform;
  private int prefetch = 2;
  private int epoch;

  /**
   * A loader in file order, without transforms, keeping the last partial batch, prefetching 2 batches.
   *
   * @param dataset the examples; all must have the same shape after transformation
   * @param batchSize the examples per batch, positive
   * @throws IllegalArgumentException if {@code batchSize} is not positive
   */
  public DataLoader(Dataset dataset, int batchSize) {
    this.dataset = Objects.requireNonNull(dataset, "dataset");
    if (batchSize <= 0) {
      throw new IllegalArgumentException("DataLoader: batchSize must be positive, got " + batchSize);
    }
    this.batchSize = batchSize;
  }

  /**
   * Sets whether each epoch visits the examples in a fresh random order (default false: index order).
   *
   * @param on true to shuffle
   * @return this loader
   */
  public DataLoader shuffle(boolean on) {
    this.shuffle = on;
    return this;
  }

  /**
   * Sets the seed of the shuffle and of the transforms (default 0).
   *
   * @param seed any value
   * @return this loader
   */
  public DataLoader seed(long seed) {
    this.seed = seed;
    return this;
  }

  /**
   * Sets whether a last batch smaller than {@code batchSize} is dropped (default false: kept).
   *
   * @param on true to drop it
   * @return this loader
   */
  public DataLoader dropLast(boolean on) {
    this.dropLast = on;
    return this;
  }

  /**
   * Sets the transform applied to each example (default none).
   *
   * @param t the transform, or null for none
   * @return this loader
   */
  public DataLoader transform(Transform t) {
    this.transform = t;
    return this;
  }

  /**
   * Sets how many batches a background thread loads ahead (default 2); 0 loads each batch in the
   * caller's thread when it is asked for. The batches are the same either way.
   *
   * @param batches the queue length, non-negative
   * @return this loader
   * @throws IllegalArgumentException if {@code batches} is negative
   */
  public DataLoader prefetch(int batches) {
    if (batches < 0) {
      throw new IllegalArgumentException("DataLoader: prefetch must be non-negative, got " + batches);
    }
    this.prefetch = batches;
    return this;
  }

  /**
   * Sets the epoch the next {@link #iterator()} runs, e.g. when resuming from a checkpoint.
   *
   * @param e the epoch, non-negative
   * @return this loader
   * @throws IllegalArgumentException if {@code e} is negative
   */
  public DataLoader epoch(int e) {
    if (e < 0) {
      throw new IllegalArgumentException("DataLoader: epoch must be non-negative, got " + e);
    }
    this.epoch = e;
    return this;
  }

  /**
   * The epoch the next {@link #iterator()} runs: 0 at first, then one more per call.
   *
   * @return the epoch
   */
  public int epoch() {
    return epoch;
  }

  /**
   * The seed of the shuffle and of the transforms.
   *
   * @return the seed
   */
  public long seed() {
    return seed;
  }

  /**
   * The number of batches per epoch: {@code ceil(N / batchSize)}, or {@code floor(N / batchSize)} when
   * dropping the last partial batch.
   *
   * @return the count
   */
  public int numBatches() {
    int n = dataset.size();
    return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
  }

  /**
   * The order in which an epoch visits the data set: a permutation drawn by Fisher-Yates from a generator
   * seeded by {@code (seed, epoch)} when shuffling, else {@code 0, 1, ..., N - 1}.
   *
   * @param e the epoch, non-negative
   * @return {@code N} indices; batch {@code b} holds positions {@code b * batchSize} onwards
   */
  public int[] order(int e) {
    int[] order = new int[dataset.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    if (shuffle) {
      Generator gen = new Generator(Seeds.shuffle(seed, e));
      for (int i = order.length - 1; i > 0; i--) {
        int j = gen.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  /**
   * Runs epoch {@link #epoch()} and advances the epoch counter.
   *
   * @return the batches of that epoch
   */
  @Override
  public BatchIterator iterator() {
    return iterator(epoch++, 0);
  }

  /**
   * Runs one epoch from a given batch, without touching the epoch counter; the batches are those a full
   * pass would give from that point, which resumes an interrupted epoch exactly.
   *
   * @param e the epoch, non-negative
   * @param firstBatch the first batch to give, in {@code [0, numBatches()]}
   * @return the batches
   * @throws IllegalArgumentException if an argument is out of range
   */
  public BatchIterator iterator(int e, int firstBatch) {
    int n = numBatches();
    if (e < 0 || firstBatch < 0 || firstBatch > n) {
      throw new IllegalArgumentException("DataLoader: need epoch >= 0 and 0 <= firstBatch <= " + n
          + ", got epoch " + e + ", firstBatch " + firstBatch);
    }
    return new BatchIterator(new BatchMaker(dataset, batchSize, order(e), n, transform, seed, e), firstBatch,
        prefetch);
  }
}
