package io.github.resnet4j.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Bytes allocated on the Java heap by every thread of the process, from the JVM's per-thread counters, for
 * the bench's "allocated per step" figure. The meter's own arrays add well under a kilobyte per reading.
 * Where the JVM has no such counters (not HotSpot, or those modules not resolved), readings are -1.
 */
final class AllocationMeter {
  private final com.sun.management.ThreadMXBean threads;

  AllocationMeter() {
    com.sun.management.ThreadMXBean hotspot = null;
    try {
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      if (mx instanceof com.sun.management.ThreadMXBean) {
        hotspot = (com.sun.management.ThreadMXBean) mx;
        if (!hotspot.isThreadAllocatedMemorySupported() || !hotspot.isThreadAllocatedMemoryEnabled()) {
          hotspot = null;
        }
      }
    } catch (LinkageError e) {
      // On the module path without java.management / jdk.management: no counters, no figure.
      hotspot = null;
    }
    threads = hotspot;
  }

  /**
   * Runs the action and returns what all threads alive before it allocated meanwhile.
   *
   * @param action the measured work
   * @return bytes, or -1 where the JVM does not count them
   * @throws UsageException as the action throws it
   */
  long bytesAllocatedBy(BenchCommand.Step action) throws UsageException {
    if (threads == null) {
      action.run();
      return -1;
    }
    long[] ids = threads.getAllThreadIds();
    long[] before = threads.getThreadAllocatedBytes(ids);
    action.run();
    long[] after = threads.getThreadAllocatedBytes(ids);
    long total = 0;
    for (int i = 0; i < ids.length; i++) {
      if (before[i] >= 0 && after[i] >= 0) { // -1: the thread ended meanwhile
        total += after[i] - before[i];
      }
    }
    return total;
  }
}
