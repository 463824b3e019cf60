package io.github.resnet4j.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernels' one shared thread pool and a range-splitting helper.
 *
 * <p>The pool has {@code Runtime.availableProcessors()} threads unless the system property
 * {@code resnet4j.threads} says otherwise. Small loops run on the calling thread, and
 * {@link #setEnabled(boolean) setEnabled(false)} makes every loop serial. Callers split work over
 * independent outputs only, never inside a reduction, so results do not depend on the thread count.
 */
public final class Parallel {
  private static final Logger LOG = LoggerFactory.getLogger(Parallel.class);
  /** More chunks than threads, so that a core stolen by another process does not stall the call. */
  private static final int CHUNKS_PER_THREAD = 4;

  private static volatile boolean enabled = true;
  private static volatile ForkJoinPool pool;
  private static volatile int threads;

  static {
    setThreads(configuredThreads());
  }

  private Parallel() {}

  private static int configuredThreads() {
    int cpus = Runtime.getRuntime().availableProcessors();
    String prop = System.getProperty("resnet4j.threads");
    if (prop == null || prop.isBlank()) {
      return cpus;
    }
    try {
      int t = Integer.parseInt(prop.trim());
      if (t >= 1) {
        return t;
      }
    } catch (NumberFormatException e) {
      // fall through to the warning
    }
    LOG.warn("Ignoring resnet4j.threads={}: expected a positive integer; using {} threads", prop, cpus);
    return cpus;
  }

  /**
   * The number of threads parallel loops use (1 when disabled).
   *
   * @return the thread count
   */
  public static int threads() {
    return enabled ? threads : 1;
  }

  /**
   * Replaces the shared pool with one of {@code n} threads; the old pool finishes its running tasks.
   *
   * @param n the new thread count, at least 1
   */
  public static synchronized void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("thread count must be >= 1, got " + n);
    }
    ForkJoinPool old = pool;
    pool = n > 1 ? new ForkJoinPool(n, Parallel::newThread, null, false) : null;
    threads = n;
    if (old != null) {
      old.shutdown();
    }
  }

  private static ForkJoinWorkerThread newThread(ForkJoinPool p) {
    return new Worker(p);
  }

  /** Marks our pool's threads, so nested loops can tell they are already parallel. */
  private static final class Worker extends ForkJoinWorkerThread {
    Worker(ForkJoinPool p) {
      super(p);
      setName("resnet4j-kernel-" + getPoolIndex());
      setDaemon(true);
    }
  }

  /**
   * Turns multithreading on or off globally (the EJML-style switch).
   *
   * @param on {@code false} to run every loop on the calling thread
   */
  public static void setEnabled(boolean on) {
    enabled = on;
  }

  /**
   * Whether multithreading is on.
   *
   * @return the global switch
   */
  public static boolean isEnabled() {
    return enabled;
  }

  /**
   * Runs {@code body} over {@code [0, n)}, split into contiguous chunks of at least {@code minGrain}
   * indices; serial when {@code n < 2 * minGrain}, when disabled, with one thread, or when called
   * from inside another parallel loop (nested loops stay serial, so a thread never runs a second body
   * while the first is half done, which keeps per-thread scratch buffers safe).
   *
   * @param n the range size
   * @param minGrain the smallest chunk worth a task, at least 1
   * @param body the loop body; chunks may run concurrently, so it must only write disjoint outputs
   */
  public static void forRange(int n, int minGrain, RangeBody body) {
    int t = threads();
    int grain = Math.max(1, minGrain);
    int chunks = Math.min(n / grain, t * CHUNKS_PER_THREAD);
    ForkJoinPool p = pool;
    if (n <= 0) {
      return;
    }
    if (chunks <= 1 || p == null || t == 1 || Thread.currentThread() instanceof Worker) {
      body.run(0, n);
      return;
    }
    List<RecursiveAction> tasks = new ArrayList<>(chunks);
    for (int i = 0; i < chunks; i++) {
      int from = (int) ((long) n * i / chunks);
      int to = (int) ((long) n * (i + 1) / chunks);
      tasks.add(new Chunk(body, from, to));
    }
    p.invoke(new All(tasks));
  }

  private static final class Chunk extends RecursiveAction {
    private final RangeBody body;
    private final int from;
    private final int to;

    Chunk(RangeBody body, int from, int to) {
      this.body = body;
      this.from = from;
      this.to = to;
    }

    @Override
    protected void compute() {
      body.run(from, to);
    }
  }

  private static final class All extends RecursiveAction {
    private final List<RecursiveAction> tasks;

    All(List<RecursiveAction> tasks) {
      this.tasks = tasks;
    }

    @Override
    protected void compute() {
      ForkJoinTask.invokeAll(tasks);
    }
  }
}
