package io.github.resnet4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.resnet4j.tensor.Generator;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransformTest {
  private static Example image(int c, int h, int w, float... values) {
    return new Example(values, new int[] {c, h, w}, 4);
  }

  @Test
  void normalizeIsPerChannel() {
    Example x = image(2, 1, 2, 1f, 3f, 10f, 20f);
    Example y = new Normalize(new float[] {1f, 10f}, new float[] {2f, 5f}).apply(x, new Generator(0));
    assertArrayEquals(new float[] {0f, 1f, 0f, 2f}, y.image());
    assertArrayEquals(new int[] {2, 1, 2}, y.shape());
    assertEquals(4, y.label());
    assertArrayEquals(new float[] {1f, 3f, 10f, 20f}, x.image(), "input untouched");
    assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0f}, new float[] {0f}));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Normalize(new float[] {0f}, new float[] {1f}).apply(x, new Generator(0)));
    assertTrue(e.getMessage().contains("2 channels"), e.getMessage());
  }

  @Test
  void flipMirrorsEachRow() {
    Example x = image(2, 2, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    Example y = new RandomHorizontalFlip(1.0).apply(x, new Generator(0));
    assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}, y.image());
    assertSame(x, new RandomHorizontalFlip(0.0).apply(x, new Generator(0)));
    int flipped = 0;
    for (int s = 0; s < 1000; s++) {
      flipped += new RandomHorizontalFlip(0.5).apply(x, new Generator(s)) == x ? 0 : 1;
    }
    assertTrue(flipped > 430 && flipped < 570, "flips: " + flipped);
  }

  @Test
  void cropWithPaddingMatchesHandComputedWindows() {
    // a 1x3x3 image 1..9 padded by 1 to 5x5; a 3x3 window at (top, left) in the padded image
    Example x = image(1, 3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    float[][][] expected = new float[3][3][];
    expected[0][0] = new float[] {0, 0, 0, 0, 1, 2, 0, 4, 5};
    expected[1][1] = new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9};
    expected[2][2] = new float[] {5, 6, 0, 8, 9, 0, 0, 0, 0};
    expected[0][2] = new float[] {0, 0, 0, 2, 3, 0, 5, 6, 0};
    expected[2][1] = new float[] {4, 5, 6, 7, 8, 9, 0, 0, 0};
    RandomCrop crop = new RandomCrop(3, 1);
    Set<Integer> seen = new HashSet<>();
    for (int s = 0; s < 200; s++) {
      Generator twin = new Generator(s);
      int top = twin.nextInt(3);
      int left = twin.nextInt(3);
      Example y = crop.apply(x, new Generator(s));
      assertArrayEquals(new int[] {1, 3, 3}, y.shape());
      if (expected[top][left] != null) {
        assertArrayEquals(expected[top][left], y.image(), "window at " + top + ", " + left);
        seen.add(top * 3 + left);
      }
    }
    assertEquals(5, seen.size(), "every hand-computed window was drawn");
  }

  @Test
  void cropCanShrinkAndMustFit() {
    Example x = image(2, 2, 2, 1, 2, 3, 4, 5, 6, 7, 8);
    float[] whole = new RandomCrop(2, 0).apply(x, new Generator(3)).image();
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, whole);
    Example small = new RandomCrop(1, 0).apply(x, new Generator(3));
    assertArrayEquals(new int[] {2, 1, 1}, small.shape());
    assertEquals(small.image()[0] + 4, small.image()[1]);
    assertThrows(IllegalArgumentException.class, () -> new RandomCrop(5, 1).apply(x, new Generator(0)));
  }

  @Test
  void erasingFillsOneRectangleInEveryChannel() {
    float[] ones = new float[2 * 4 * 4];
    Arrays.fill(ones, 1f);
    Example x = image(2, 4, 4, ones);
    // a quarter of the area with aspect 1: always a 2x2 square
    RandomErasing erase = new RandomErasing(1.0, 0.25, 0.25, 1.0, 1.0, -3f);
    for (int s = 0; s < 20; s++) {
      float[] y = erase.apply(x, new Generator(s)).image();
      int[] rows = new int[4];
      int[] cols = new int[4];
      for (int c = 0; c < 2; c++) {
        for (int i = 0; i < 16; i++) {
          if (y[c * 16 + i] == -3f) {
            rows[i / 4]++;
            cols[i % 4]++;
            assertEquals(-3f, y[(1 - c) * 16 + i], "same rectangle in both channels");
          } else {
            assertEquals(1f, y[c * 16 + i]);
          }
        }
      }
      assertEquals(4, Arrays.stream(rows).filter(r -> r == 4).count() * 2, Arrays.toString(rows));
      assertEquals(4, Arrays.stream(cols).filter(r -> r == 4).count() * 2, Arrays.toString(cols));
    }
    assertSame(x, new RandomErasing(0.0, 0.02, 0.33, 0.3, 3.3, 0f).apply(x, new Generator(0)));
    // an area that never fits leaves the image alone
    assertSame(x, new RandomErasing(1.0, 1.0, 1.0, 1.0, 1.0, 0f).apply(x, new Generator(0)));
  }

  @Test
  void sameSeedSameResult() {
    float[] v = new float[3 * 8 * 8];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    Example x = image(3, 8, 8, v);
    Transform t = Transform.compose(new RandomCrop(8, 2), new RandomHorizontalFlip(0.5), new RandomErasing());
    assertArrayEquals(t.apply(x, new Generator(7)).image(), t.apply(x, new Generator(7)).image());
    Set<String> distinct = new HashSet<>();
    for (int s = 0; s < 10; s++) {
      distinct.add(Arrays.toString(t.apply(x, new Generator(s)).image()));
    }
    assertTrue(distinct.size() > 5, "seeds give different results");
  }

  @Test
  void andThenAppliesInOrder() {
    Example x = image(1, 1, 2, 1f, 5f);
    Transform flipThenNormalize =
        new RandomHorizontalFlip(1).andThen(new Normalize(new float[] {1}, new float[] {2}));
    assertArrayEquals(new float[] {2f, 0f}, flipThenNormalize.apply(x, new Generator(0)).image());
    assertSame(x, Transform.compose().apply(x, new Generator(0)));
    assertEquals(1f, x.image()[0], "input untouched");
  }
}
