package io.github.resnet4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
}
