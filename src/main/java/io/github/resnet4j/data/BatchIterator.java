package io.github.resnet4j.data;

import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The batches of one epoch of a {@link DataLoader}, possibly loaded ahead on a background thread.
 *
 * <p>An exception thrown while loading (by the data set or a transform) is rethrown to the caller of
 * {@link #hasNext()} or {@link #next()}, with a suppressed note naming the batch. The loading thread is a
 * daemon that ends when the epoch is exhausted, on {@link #close()}, or soon after this iterator becomes
 * unreachable (a {@code for} loop left by {@code break}); closing early releases it at once:
 *
 * <pre>{@code
 * try (BatchIterator it = loader.iterator()) {
 *   while (it.hasNext() && !stop) {
 *     train(it.next());
 *   }
 * }
 * }</pre>
 */
public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
  private static final Object END = new Object();
  private static final long POLL_MILLIS = 50;
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final BatchMaker maker;
  private final Channel channel;
  private final Thread thread;
  private int nextBatch;
  private Object pending;
  private boolean done;

  BatchIterator(BatchMaker maker, int firstBatch, int prefetch) {
    this.maker = maker;
    this.nextBatch = firstBatch;
    if (prefetch > 0 && firstBatch < maker.numBatches) {
      channel = new Channel(prefetch);
      thread = new Thread(new Producer(maker, firstBatch, channel, new WeakReference<>(this)),
          "resnet4j-data-loader-" + THREADS.incrementAndGet());
      thread.setDaemon(true);
      thread.start();
    } else {
      channel = null;
      thread = null;
    }
  }

  /**
   * Whether another batch follows; waits for it to be loaded.
   *
   * @return true if {@link #next()} will return a batch
   * @throws RuntimeException the exception that loading the batch threw
   */
  @Override
  public boolean hasNext() {
    if (done) {
      return false;
    }
    if (pending == null) {
      pending = fetch();
    }
    if (pending == END) {
      pending = null;
      close();
      return false;
    }
    if (pending instanceof Failure f) {
      pending = null;
      close();
      f.rethrow(maker.epoch);
    }
    return true;
  }

  /**
   * The next batch.
   *
   * @return the batch
   * @throws NoSuchElementException if the epoch is over
   * @throws RuntimeException the exception that loading the batch threw
   */
  @Override
  public Batch next() {
    if (!hasNext()) {
      throw new NoSuchElementException("DataLoader: epoch " + maker.epoch + " has no more batches");
    }
    Batch b = (Batch) pending;
    pending = null;
    return b;
  }

  /** Stops loading ahead and ends the iteration; calling it again does nothing. */
  @Override
  public void close() {
    done = true;
    pending = null;
    if (channel != null) {
      channel.closed = true;
      channel.queue.clear();
      thread.interrupt();
    }
  }

  /** The loading thread, or null when batches load in the caller's thread. */
  Thread thread() {
    return thread;
  }

  private Object fetch() {
    if (channel == null) {
      if (nextBatch >= maker.numBatches) {
        return END;
      }
      try {
        return maker.make(nextBatch++); // exceptions reach the caller directly
      } catch (RuntimeException | Error e) {
        close();
        throw e;
      }
    }
    try {
      return channel.queue.take();
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("DataLoader: interrupted while waiting for a batch of epoch "
          + maker.epoch, e);
    }
  }

  /** The queue shared by the two threads; it holds no reference to the iterator. */
  private static final class Channel {
    final BlockingQueue<Object> queue;
    volatile boolean closed;

    Channel(int capacity) {
      queue = new ArrayBlockingQueue<>(capacity);
    }
  }

  /** A loading failure and the batch it happened in. */
  private record Failure(Throwable error, int batch) {
    void rethrow(int epoch) {
      error.addSuppressed(new Exception("DataLoader: loading batch " + batch + " of epoch " + epoch
          + " failed on the loader thread; rethrown in thread " + Thread.currentThread().getName()));
      if (error instanceof RuntimeException r) {
        throw r;
      }
      if (error instanceof Error e) {
        throw e;
      }
      throw new IllegalStateException("DataLoader: loading batch " + batch + " of epoch " + epoch + " failed",
          error);
    }
  }

  /** Loads batches in order into the queue until done, closed, or the iterator is garbage. */
  private static final class Producer implements Runnable {
    private final BatchMaker maker;
    private final int first;
    private final Channel channel;
    private final WeakReference<BatchIterator> owner;

    Producer(BatchMaker maker, int first, Channel channel, WeakReference<BatchIterator> owner) {
      this.maker = maker;
      this.first = first;
      this.channel = channel;
      this.owner = owner;
    }

    @Override
    public void run() {
      try {
        for (int b = first; b < maker.numBatches; b++) {
          if (!wanted()) {
            return;
          }
          Object item;
          try {
            item = maker.make(b);
          } catch (Throwable t) {
            item = new Failure(t, b);
          }
          if (!put(item) || item instanceof Failure) {
            return;
          }
        }
        put(END);
      } catch (InterruptedException e) {
        // closed by the consumer: nothing more to do
      }
    }

    private boolean wanted() {
      return !channel.closed && owner.get() != null;
    }

    private boolean put(Object item) throws InterruptedException {
      while (!channel.queue.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
        if (!wanted()) {
          return false;
        }
      }
      return true;
    }
  }
}
