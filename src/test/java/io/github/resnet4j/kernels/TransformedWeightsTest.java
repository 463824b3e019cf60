package io.github.resnet4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Transforms kept across calls ({@link TransformedWeights}): kept once the same values come again in the same
 * array, recomputed whenever any weight changed in place, never kept for arrays made afresh, and safe to share
 * between threads.
 */
@Tag("kernels")
class TransformedWeightsTest {
  /** Writes twice the weights plus the layout, and counts its calls. */
  private static final class Doubling implements TransformedWeights.Transform {
    private final float[] w;
    private final long layout;
    int calls;

    Doubling(float[] w, long layout) {
      this.w = w;
      this.layout = layout;
    }

    @Override
    public void into(float[] out) {
      calls++;
      for (int i = 0; i < w.length; i++) {
        out[i] = 2 * w[i] + layout;
      }
    }
  }

  @Test
  void keptFromTheThirdCallWithTheSameValues() {
    float[] w = {1, 2, 3, 4};
    Doubling t = new Doubling(w, 0);
    float[] scratch = new float[4];
    assertSame(scratch, TransformedWeights.of(w, 4, 0, 4, t, scratch));
    assertArrayEquals(new float[] {2, 4, 6, 8}, scratch);
    assertSame(scratch, TransformedWeights.of(w, 4, 0, 4, t, scratch), "one sighting keeps nothing");
    float[] kept = TransformedWeights.of(w, 4, 0, 4, t, scratch);
    assertNotSame(scratch, kept);
    assertArrayEquals(new float[] {2, 4, 6, 8}, kept);
    assertEquals(3, t.calls);
    assertSame(kept, TransformedWeights.of(w, 4, 0, 4, t, scratch));
    assertSame(kept, TransformedWeights.of(w, 4, 0, 4, t, scratch));
    assertEquals(3, t.calls, "kept, not transformed again");
  }

  @Test
  void aWeightChangedInPlaceIsSeenWhereverItIs() {
    float[] w = {1, 2, 3, 4, 5};
    Doubling t = new Doubling(w, 0);
    float[] scratch = new float[5];
    for (int i = 0; i < 3; i++) {
      TransformedWeights.of(w, 5, 0, 5, t, scratch);
    }
    float[] kept = TransformedWeights.of(w, 5, 0, 5, t, scratch);
    for (int changed : new int[] {4, 0, 2}) {
      w[changed] += 0.5f;
      float[] now = TransformedWeights.of(w, 5, 0, 5, t, scratch);
      assertSame(scratch, now, "weight " + changed + " changed: computed afresh");
      for (int i = 0; i < 5; i++) {
        assertEquals(2 * w[i], now[i], "weight " + changed + " changed, element " + i);
      }
      float[] keptAgain = TransformedWeights.of(w, 5, 0, 5, t, scratch);
      assertNotSame(scratch, keptAgain);
      assertNotSame(kept, keptAgain);
      assertEquals(2 * w[changed], keptAgain[changed]);
      kept = keptAgain;
    }
    assertArrayEquals(new float[] {3, 4, 7, 8, 11}, kept);
  }

  @Test
  void aResultHandedOutIsNeverOverwritten() {
    float[] w = {1, 2};
    Doubling t = new Doubling(w, 0);
    float[] scratch = new float[2];
    TransformedWeights.of(w, 2, 0, 2, t, scratch);
    TransformedWeights.of(w, 2, 0, 2, t, scratch);
    float[] kept = TransformedWeights.of(w, 2, 0, 2, t, scratch);
    w[0] = 7;
    TransformedWeights.of(w, 2, 0, 2, t, scratch);
    TransformedWeights.of(w, 2, 0, 2, t, scratch);
    assertArrayEquals(new float[] {2, 4}, kept, "what a caller may still be reading");
  }

  @Test
  void aNewLayoutIsTransformedAfresh() {
    float[] w = {1, 2, 3};
    float[] scratch = new float[3];
    Doubling zero = new Doubling(w, 0);
    for (int i = 0; i < 3; i++) {
      TransformedWeights.of(w, 3, 0, 3, zero, scratch);
    }
    Doubling one = new Doubling(w, 1);
    assertArrayEquals(new float[] {3, 5, 7}, TransformedWeights.of(w, 3, 1, 3, one, scratch));
    assertSame(scratch, TransformedWeights.of(w, 3, 1, 3, one, scratch));
    assertArrayEquals(new float[] {3, 5, 7}, TransformedWeights.of(w, 3, 1, 3, one, scratch));
    assertEquals(3, one.calls);
    assertArrayEquals(new float[] {2, 4, 6}, TransformedWeights.of(w, 3, 0, 3, zero, scratch));
  }

  @Test
  void arraysMadeAfreshForEachCallAreNeverKept() {
    float[] scratch = new float[3];
    for (int i = 0; i < 5; i++) {
      float[] w = {i, 1, 2};
      assertSame(scratch, TransformedWeights.of(w, 3, 0, 3, new Doubling(w, 0), scratch));
      assertEquals(2 * i, scratch[0]);
    }
  }

  @Test
  void threadsSharingWeightsEachGetTheirTransform() throws Exception {
    float[] w = new float[1000];
    for (int i = 0; i < w.length; i++) {
      w[i] = i;
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        runs.add(pool.submit(() -> {
          float[] scratch = new float[w.length];
          for (int call = 0; call < 200; call++) {
            float[] got = TransformedWeights.of(w, w.length, 0, w.length, new Doubling(w, 0), scratch);
            for (int i = 0; i < w.length; i += 37) {
              assertEquals(2f * i, got[i], "call " + call + ", element " + i);
            }
          }
        }));
      }
      for (Future<?> run : runs) {
        run.get();
      }
    } finally {
      pool.shutdown();
    }
  }
}
