package io.github.resnet4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.testing.Allocations;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kernels")
class ParallelTest {
  @Test
  void coversEveryIndexOnce() {
    int before = Parallel.threads();
    try {
      Parallel.setThreads(3);
      AtomicIntegerArray hits = new AtomicIntegerArray(1000);
      Parallel.forRange(1000, 7, (from, to) -> {
        for (int i = from; i < to; i++) {
          hits.incrementAndGet(i);
        }
      });
      for (int i = 0; i < 1000; i++) {
        assertEquals(1, hits.get(i), "index " + i);
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void smallRangesAndTheSwitchRunOnTheCaller() {
    int before = Parallel.threads();
    try {
      Parallel.setThreads(2);
      Set<Thread> seen = ConcurrentHashMap.newKeySet();
      Parallel.forRange(10, 8, (from, to) -> seen.add(Thread.currentThread()));
      assertEquals(Set.of(Thread.currentThread()), seen);
      Parallel.setEnabled(false);
      seen.clear();
      Parallel.forRange(100_000, 1, (from, to) -> seen.add(Thread.currentThread()));
      assertEquals(Set.of(Thread.currentThread()), seen);
      assertEquals(1, Parallel.threads());
    } finally {
      Parallel.setEnabled(true);
      Parallel.setThreads(before);
    }
  }

  @Test
  void nestedLoopsStaySerialAndExceptionsPropagate() {
    int before = Parallel.threads();
    try {
      Parallel.setThreads(2);
      AtomicInteger total = new AtomicInteger();
      Parallel.forRange(4, 1, (from, to) -> {
        Thread outer = Thread.currentThread();
        Parallel.forRange(100, 1, (a, b) -> {
          assertEquals(outer, Thread.currentThread());
          total.addAndGet(b - a);
        });
      });
      assertEquals(400, total.get());
      assertThrows(IllegalStateException.class, () -> Parallel.forRange(100, 1, (a, b) -> {
        throw new IllegalStateException("boom");
      }));
      assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
      assertTrue(Parallel.isEnabled());
    } finally {
      Parallel.setThreads(before);
    }
  }

  /**
   * A worker that wakes late must not run a chunk of a loop that has already finished: thousands of loops of
   * varying sizes back to back, each with its own output, and every index of every loop was hit exactly once
   * when all are checked at the end (a stale chunk would show up as a 2 in an earlier loop's output).
   */
  @Test
  void backToBackLoopsNeverRunAStaleChunk() {
    int before = Parallel.threads();
    try {
      Parallel.setThreads(2);
      List<int[]> outputs = new ArrayList<>();
      for (int loop = 0; loop < 5_000; loop++) {
        int[] hits = new int[8 + loop * 37 % 300];
        outputs.add(hits);
        Parallel.forRange(hits.length, 1, (from, to) -> {
          for (int i = from; i < to; i++) {
            hits[i]++;
          }
        });
      }
      for (int loop = 0; loop < outputs.size(); loop++) {
        int[] hits = outputs.get(loop);
        for (int i = 0; i < hits.length; i++) {
          assertEquals(1, hits[i], "loop " + loop + ", index " + i);
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  /** Two threads starting loops at once: neither waits for the other's, and both get every index once. */
  @Test
  void loopsStartedFromTwoThreadsAtOnceBothComplete() throws Exception {
    int before = Parallel.threads();
    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      Parallel.setThreads(2);
      List<Future<Integer>> results = new ArrayList<>();
      for (int c = 0; c < 2; c++) {
        results.add(callers.submit(() -> {
          int total = 0;
          for (int loop = 0; loop < 2_000; loop++) {
            AtomicInteger covered = new AtomicInteger();
            Parallel.forRange(500, 1, (from, to) -> covered.addAndGet(to - from));
            total += covered.get();
          }
          return total;
        }));
      }
      for (Future<Integer> r : results) {
        assertEquals(2_000 * 500, r.get());
      }
    } finally {
      callers.shutdownNow();
      Parallel.setThreads(before);
    }
  }

  /**
   * A training step runs thousands of loops: handing one out allocates nothing on any thread (a fork-join
   * pool allocated a task per chunk and a waiter per call, about 500 bytes a loop).
   */
  @Test
  void aParallelLoopAllocatesNothingOnAnyThread() {
    int before = Parallel.threads();
    try {
      Parallel.setThreads(2);
      float[] out = new float[4096];
      RangeBody body = (from, to) -> {
        for (int i = from; i < to; i++) {
          out[i] += 1;
        }
      };
      for (int i = 0; i < 2_000; i++) {
        Parallel.forRange(out.length, 64, body);
      }
      long bytes = Allocations.bytesAllocatedByAllThreadsDuring(() -> {
        for (int i = 0; i < 1_000; i++) {
          Parallel.forRange(out.length, 64, body);
        }
      });
      assertTrue(bytes < 1_000, "1,000 parallel loops allocated " + bytes + " bytes");
      assertEquals(3_000f, out[0]);
      assertEquals(3_000f, out[out.length - 1]);
    } finally {
      Parallel.setThreads(before);
    }
  }
}
