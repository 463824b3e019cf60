package io.github.resnet4j.testing;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated by the current thread while an action runs, from the JVM's per-thread counter: exact
 * for that thread, blind to what pool threads allocate for it.
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
}
