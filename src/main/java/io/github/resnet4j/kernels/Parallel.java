package io.github.resnet4j.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernels' one shared team of threads and a range-splitting helper.
 *
 * <p>The team has {@code Runtime.availableProcessors()} threads (the caller and {@code n - 1} workers) unless
 * the system property {@code resnet4j.threads} says otherwise. Small loops run on the calling thread, and
 * {@link #setEnabled(boolean) setEnabled(false)} makes every loop serial. Callers split work over
 * independent outputs only, never inside a reduction, so results do not depend on the thread count.
 *
 * <p>A training step runs thousands of loops, so handing one out allocates nothing: the team keeps one job
 * slot, and a chunk is claimed by bumping one atomic word that also names the job, so a worker that wakes late
 * cannot run a chunk of a job that has moved on. A fork-join pool allocated a task per chunk and a waiter
 * per call, about a megabyte per ResNet-20 step.
 */
public final class Parallel {
  private static final Logger LOG = LoggerFactory.getLogger(Parallel.class);
  /** More chunks than threads, so that a core stolen by another process does not stall the call. */
  private static final int CHUNKS_PER_THREAD = 4;

  private static volatile boolean enabled = true;
  private static volatile Team team;
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
   * Replaces the shared team with one of {@code n} threads; a loop already running on the old team finishes.
   *
   * @param n the new thread count, at least 1
   */
  public static synchronized void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("thread count must be >= 1, got " + n);
    }
    if (n > Team.MAX_CHUNKS / CHUNKS_PER_THREAD) {
      throw new IllegalArgumentException("thread count must be <= " + Team.MAX_CHUNKS / CHUNKS_PER_THREAD
          + ", got " + n);
    }
    Team old = team;
    team = n > 1 ? new Team(n - 1) : null;
    threads = n;
    if (old != null) {
      old.stop();
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
   * while the first is half done, which keeps per-thread scratch buffers safe). The calling thread runs
   * chunks too. Two threads that start loops at once do not wait for each other: the second runs serially.
   *
   * @param n the range size
   * @param minGrain the smallest chunk worth a task, at least 1
   * @param body the loop body; chunks may run concurrently, so it must only write disjoint outputs
   * @throws RuntimeException or Error: the first that a chunk threw, after every chunk has finished
   */
  public static void forRange(int n, int minGrain, RangeBody body) {
    if (n <= 0) {
      return;
    }
    int chunks = chunks(n, minGrain);
    Team tm = team;
    if (chunks <= 1 || tm == null || !tm.tryRun(body, n, chunks)) {
      body.run(0, n);
    }
  }

  /**
   * Whether {@link #forRange} would split this range over threads: callers on hot paths test it first and
   * call their loop directly when not, so that no loop body is allocated for a loop that runs serially.
   *
   * @param n the range size
   * @param minGrain the smallest chunk worth a task
   * @return false when forRange would certainly run {@code body.run(0, n)} on the caller
   */
  static boolean splits(int n, int minGrain) {
    return chunks(n, minGrain) > 1 && team != null;
  }

  private static int chunks(int n, int minGrain) {
    int t = threads();
    if (t == 1 || Thread.currentThread() instanceof Worker) {
      return 1;
    }
    return Math.min(n / Math.max(1, minGrain), t * CHUNKS_PER_THREAD);
  }

  /** Marks the team's threads, so nested loops can tell they are already parallel. */
  private static final class Worker extends Thread {
    /** Set while parked, so the caller only pays for an unpark when one is needed. */
    volatile boolean parked;

    Worker(Team team, int index) {
      super(team::work, "resnet4j-kernel-" + index);
      setDaemon(true);
    }
  }

  /**
   * Worker threads and the one job they share. The control word packs the job's number (high 32 bits), its
   * chunk count (16 bits) and the next unclaimed chunk (low 16 bits); claiming is a compare-and-set on it, so a
   * claim succeeds only for the current job while chunks are left, and the job's body and size, written
   * before the word was published, stay put until every claimed chunk has finished.
   */
  private static final class Team {
    static final int MAX_CHUNKS = 0xFFFF;
    /** How long an idle thread spins before parking: loops of a training step come microseconds apart. */
    private static final long SPIN_NANOS = 50_000;

    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicLong control = new AtomicLong();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopped;
    private volatile Thread caller;
    /** The job: written by the caller before publishing it, read after a successful claim. */
    private RangeBody body;
    private int size;
    /** The job number, touched only by the caller holding {@link #busy}. */
    private int job;

    Team(int workerCount) {
      workers = new Worker[workerCount];
      for (int i = 0; i < workerCount; i++) {
        workers[i] = new Worker(this, i);
      }
      for (Worker w : workers) {
        w.start();
      }
    }

    boolean tryRun(RangeBody loopBody, int n, int chunks) {
      if (stopped || !busy.compareAndSet(false, true)) {
        return false;
      }
      try {
        body = loopBody;
        size = n;
        finished.set(0);
        failure.set(null);
        caller = Thread.currentThread();
        job++;
        control.set((long) job << 32 | (long) chunks << 16);
        for (Worker w : workers) {
          if (w.parked) {
            LockSupport.unpark(w);
          }
        }
        runChunks(job);
        awaitChunks(chunks);
        Throwable t = failure.get();
        if (t != null) {
          failure.set(null);
          if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
          }
          if (t instanceof Error) {
            throw (Error) t;
          }
          throw new IllegalStateException("parallel loop failed", t);
        }
        return true;
      } finally {
        body = null; // the body captures the loop's arrays: do not keep them alive until the next loop
        caller = null;
        busy.set(false);
      }
    }

    /** Claims and runs chunks of job {@code id} until none is left. */
    private void runChunks(int id) {
      while (true) {
        long c = control.get();
        int chunks = (int) (c >>> 16) & MAX_CHUNKS;
        int next = (int) c & MAX_CHUNKS;
        if ((int) (c >>> 32) != id || next >= chunks) {
          return;
        }
        if (!control.compareAndSet(c, c + 1)) {
          continue;
        }
        int from = (int) ((long) size * next / chunks);
        int to = (int) ((long) size * (next + 1) / chunks);
        try {
          body.run(from, to);
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        }
        if (finished.incrementAndGet() == chunks) {
          Thread waiting = caller;
          if (waiting != null && waiting != Thread.currentThread()) {
            LockSupport.unpark(waiting);
          }
        }
      }
    }

    private void awaitChunks(int chunks) {
      long start = System.nanoTime();
      while (finished.get() < chunks) {
        if (System.nanoTime() - start < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          LockSupport.park(this);
        }
      }
    }

    /** A worker's life: wait for a job with a new number, help with it, repeat. */
    void work() {
      Worker self = (Worker) Thread.currentThread();
      int seen = 0;
      while (!stopped) {
        int id = (int) (control.get() >>> 32);
        if (id == seen) {
          idle(self, seen);
          continue;
        }
        seen = id;
        runChunks(id);
      }
    }

    private void idle(Worker self, int seen) {
      long start = System.nanoTime();
      while (!stopped && (int) (control.get() >>> 32) == seen) {
        if (System.nanoTime() - start < SPIN_NANOS) {
          Thread.onSpinWait();
        } else {
          // parked is written before the job number is read again, and the caller publishes a job before
          // reading parked: one of the two sees the other, so no wake-up is lost.
          self.parked = true;
          if (!stopped && (int) (control.get() >>> 32) == seen) {
            LockSupport.park(this);
          }
          self.parked = false;
        }
      }
    }

    void stop() {
      stopped = true;
      for (Worker w : workers) {
        LockSupport.unpark(w);
      }
    }
  }
}
