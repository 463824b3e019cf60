package io.github.resnet4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuffersTest {
  /** Lengths no other test uses, so that this thread's pool holds none of them beforehand. */
  private static final int BASE = 1_000_003;
  /** Odd lengths from here on, small enough for 600 arrays to cost a few MiB. */
  private static final int LENGTHS = 10_001;

  @Test
  void aRecycledArrayIsHandedOutAgainForItsLengthOnly() {
    float[] a = Buffers.forOutput(BASE);
    Buffers.recycle(a);
    float[] other = Buffers.forOutput(BASE + 1);
    assertNotSame(a, other);
    assertEquals(BASE + 1, other.length);
    assertSame(a, Buffers.forOutput(BASE));
    assertNotSame(a, Buffers.forOutput(BASE)); // it was taken: the next one is new
  }

  /** Many lengths at once: the table grows and every length still finds its own arrays, last in first out. */
  @Test
  void manyLengthsKeepTheirOwnArrays() {
    List<float[]> given = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      for (int copy = 0; copy < 2; copy++) {
        float[] a = new float[LENGTHS + 2 * i];
        Buffers.recycle(a);
        given.add(a);
      }
    }
    for (int i = 299; i >= 0; i--) {
      assertSame(given.get(2 * i + 1), Buffers.forOutput(LENGTHS + 2 * i));
      assertSame(given.get(2 * i), Buffers.forOutput(LENGTHS + 2 * i));
    }
  }

  @Test
  void recyclingAnArrayTwiceIsCaughtNotHandedOutTwice() {
    float[] a = new float[BASE + 5];
    Buffers.recycle(a);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Buffers.recycle(a));
    assertTrue(e.getMessage().contains(String.valueOf(BASE + 5)), e.getMessage());
  }

  @Test
  void tinyArraysAreLeftToTheAllocator() {
    float[] a = new float[Buffers.MIN_POOLED - 1];
    Buffers.recycle(a);
    assertNotSame(a, Buffers.forOutput(a.length));
  }
}
