package io.github.resnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.tensor.DType;
import io.github.resnet4j.tensor.Generator;
import io.github.resnet4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
  /** {@code n} images [1, 2, 2], pixels (i, i + 0.25, i + 0.5, i + 0.75) and label i for index i. */
  static TensorDataset indexed(int n) {
    float[] px = new float[n * 4];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < 4; k++) {
        px[i * 4 + k] = i + k / 4f;
      }
      labels[i] = i;
    }
    return new TensorDataset(px, new int[] {n, 1, 2, 2}, labels);
  }

  private static List<int[]> labelsOf(Iterable<Batch> batches) {
    List<int[]> out = new ArrayList<>();
    for (Batch b : batches) {
      float[] l = b.labels().toFloatArray();
      int[] ints = new int[l.length];
      for (int i = 0; i < l.length; i++) {
        ints[i] = (int) l[i];
      }
      out.add(ints);
    }
    return out;
  }

  private static int[] flat(List<int[]> batches) {
    return batches.stream().flatMapToInt(Arrays::stream).toArray();
  }

  @Test
  void batchesHoldImagesAndInt64Labels() {
    DataLoader loader = new DataLoader(indexed(10), 4);
    assertEquals(3, loader.numBatches());
    BatchIterator it = loader.iterator();
    Batch first = it.next();
    assertArrayEquals(new int[] {4, 1, 2, 2}, first.images().shape());
    assertArrayEquals(new int[] {4}, first.labels().shape());
    assertEquals(DType.INT64, first.labels().dtype());
    assertEquals(4, first.size());
    assertArrayEquals(new float[] {1f, 1.25f, 1.5f, 1.75f},
        Arrays.copyOfRange(first.images().toFloatArray(), 4, 8));
    it.next();
    Batch last = it.next();
    assertEquals(2, last.size(), "the last partial batch is kept");
    assertArrayEquals(new float[] {8, 9}, last.labels().toFloatArray());
    assertFalse(it.hasNext());
    assertThrows(NoSuchElementException.class, it::next);
  }

  @Test
  void everyIndexOncePerEpoch() {
    DataLoader loader = new DataLoader(indexed(23), 5).shuffle(true).seed(11);
    for (int e = 0; e < 3; e++) {
      List<int[]> batches = labelsOf(loader);
      assertEquals(5, batches.size());
      assertEquals(3, batches.get(4).length);
      int[] seen = flat(batches);
      assertFalse(Arrays.equals(seen, indexed(23).labels()), "shuffled");
      Arrays.sort(seen);
      assertArrayEquals(indexed(23).labels(), seen);
    }
    assertEquals(3, loader.epoch());
  }

  @Test
  void shuffleIsReproducibleAndChangesEachEpoch() {
    DataLoader a = new DataLoader(indexed(50), 8).shuffle(true).seed(5);
    DataLoader b = new DataLoader(indexed(50), 8).shuffle(true).seed(5);
    int[] a0 = flat(labelsOf(a));
    int[] a1 = flat(labelsOf(a));
    assertArrayEquals(a0, flat(labelsOf(b)));
    assertArrayEquals(a1, flat(labelsOf(b)));
    assertFalse(Arrays.equals(a0, a1), "epochs differ");
    assertArrayEquals(a1, a.order(1));
    int[] otherSeed = new DataLoader(indexed(50), 8).shuffle(true).seed(6).order(0);
    assertFalse(Arrays.equals(a0, otherSeed), "seeds differ");
    // resuming: epoch 1 from batch 3 gives the tail of the full epoch
    int[] tail = flat(labelsOf(() -> a.iterator(1, 3)));
    assertArrayEquals(Arrays.copyOfRange(a1, 24, 50), tail);
    assertEquals(0, a.epoch(0).epoch());
    assertArrayEquals(a0, flat(labelsOf(a)));
  }

  @Test
  void dropLastDropsThePartialBatch() {
    DataLoader loader = new DataLoader(indexed(10), 3).dropLast(true);
    assertEquals(3, loader.numBatches());
    List<int[]> batches = labelsOf(loader);
    assertEquals(3, batches.size());
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, flat(batches));
    assertEquals(0, new DataLoader(indexed(2), 3).dropLast(true).numBatches());
    assertEquals(1, new DataLoader(indexed(2), 3).numBatches());
  }

  @Test
  void prefetchingGivesTheSameBatches() {
    TensorDataset ds = new TensorDataset(Tensor.rand(new Generator(1), 37, 3, 8, 8), new int[37]);
    Transform aug = new RandomCrop(8, 2).andThen(new RandomHorizontalFlip(0.5)).andThen(new RandomErasing());
    List<float[]> expected = new ArrayList<>();
    for (Batch b : new DataLoader(ds, 6).shuffle(true).seed(3).transform(aug).prefetch(0).epoch(2)) {
      expected.add(b.images().toFloatArray());
    }
    for (int prefetch : new int[] {1, 2, 5}) {
      DataLoader loader =
          new DataLoader(ds, 6).shuffle(true).seed(3).transform(aug).prefetch(prefetch).epoch(2);
      int i = 0;
      for (Batch b : loader) {
        assertArrayEquals(expected.get(i++), b.images().toFloatArray(), "prefetch " + prefetch);
      }
      assertEquals(expected.size(), i);
    }
  }

  @Test
  void transformErrorsReachTheConsumer() {
    IllegalStateException boom = new IllegalStateException("boom at 5");
    Transform failing = (x, gen) -> {
      if (x.label() == 5) {
        throw boom;
      }
      return x;
    };
    for (int prefetch : new int[] {0, 2}) {
      BatchIterator it = new DataLoader(indexed(10), 2).transform(failing).prefetch(prefetch).iterator();
      it.next();
      it.next();
      IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
      assertSame(boom, e);
      assertFalse(it.hasNext(), "the iteration ends after a failure");
      if (prefetch > 0) {
        assertTrue(e.getSuppressed()[0].getMessage().contains("batch 2 of epoch 0"));
      }
    }
  }

  @Test
  void closingStopsTheLoaderThread() throws Exception {
    BatchIterator it = new DataLoader(indexed(1000), 1).iterator();
    it.next();
    Thread t = it.thread();
    assertNotNull(t);
    assertTrue(t.isDaemon());
    it.close();
    t.join(5000);
    assertFalse(t.isAlive());
    assertFalse(it.hasNext());
  }

  @Test
  void anAbandonedIteratorStopsTheLoaderThread() throws Exception {
    DataLoader loader = new DataLoader(indexed(1000), 1);
    Thread t = startAndAbandon(loader);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (t.isAlive() && System.nanoTime() < deadline) {
      System.gc();
      t.join(100);
    }
    assertFalse(t.isAlive(), "the loader thread outlived its iterator");
  }

  /** Like a for loop left by break: the iterator becomes garbage without being closed. */
  private static Thread startAndAbandon(DataLoader loader) {
    for (Batch b : loader) {
      assertEquals(1, b.size());
      break;
    }
    BatchIterator it = loader.iterator();
    it.next();
    return it.thread();
  }

  @Test
  void exhaustedIterationEndsTheThread() throws Exception {
    BatchIterator it = new DataLoader(indexed(7), 2).iterator();
    Thread t = it.thread();
    while (it.hasNext()) {
      it.next();
    }
    t.join(5000);
    assertFalse(t.isAlive());
  }

  @Test
  void mixedShapesInABatchAreReported() {
    Transform grow = (x, gen) -> x.label() == 1 ? x.withImage(new float[8], 2, 2, 2) : x;
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new DataLoader(indexed(4), 4).transform(grow).prefetch(0).iterator().next());
    assertTrue(e.getMessage().contains("example 1 has shape [2, 2, 2]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DataLoader(indexed(4), 0));
  }
}
