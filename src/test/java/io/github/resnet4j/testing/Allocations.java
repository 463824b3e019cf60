package io.github.resnet4j.testing;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated while an action runs, from the JVM's per-thread counters: by the current thread (exact
 * for that thread, blind to what pool threads allocate for it), or by every thread.
 */
public final class Allocations {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Allocations() {}

  /**
   * Runs the action and returns what the current thread allocated meanwhile.
   *
   * @param action what to measure
   * @return bytes allocated by this thread
   */
  public static long bytesAllocatedBy(Runnable action) {
    long tid = Thread.currentThread().getId();
    long before = THREADS.getThreadAllocatedBytes(tid);
    action.run();
    return THREADS.getThreadAllocatedBytes(tid) - before;
  }

  /**
   * Runs the action and returns what every thread alive before it allocated meanwhile (the calling thread
   * included), for code that hands work to pool threads. Threads that other tests left running count too, so
   * callers bound the result rather than expect an exact figure.
   *
   * @param action what to measure
   * @return bytes allocated by the threads alive when the action started
   */
  public static long bytesAllocatedByAllThreadsDuring(Runnable action) {
    long[] ids = THREADS.getAllThreadIds();
    long[] before = THREADS.getThreadAllocatedBytes(ids);
    action.run();
    long[] after = THREADS.getThreadAllocatedBytes(ids);
    long total = 0;
    for (int i = 0; i < ids.length; i++) {
      if (before[i] >= 0 && after[i] >= 0) { // -1: the thread has ended
        total += after[i] - before[i];
      }
    }
    return total;
  }
}
