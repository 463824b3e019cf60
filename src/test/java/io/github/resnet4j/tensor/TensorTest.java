package io.github.resnet4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorTest {
  private static final float EPS = 1e-6f;

  @Test
  void factoriesFillShapes() {
    assertArrayEquals(new float[6], Tensor.zeros(2, 3).toFloatArray());
    assertArrayEquals(new float[] {1, 1}, Tensor.ones(2).toFloatArray());
    assertArrayEquals(new float[] {7, 7, 7}, Tensor.full(7, 3).toFloatArray());
    assertArrayEquals(new float[] {0, 1, 2, 3}, Tensor.arange(4).toFloatArray());
    assertArrayEquals(new float[] {1, 1.5f, 2, 2.5f}, Tensor.arange(1, 3, 0.5f).toFloatArray());
    assertArrayEquals(new float[] {1, 0, 0, 1}, Tensor.eye(2).toFloatArray());
    assertEquals(0, Tensor.scalar(3).dim());
    assertEquals(3f, Tensor.scalar(3).item());
    assertEquals(DType.INT64, Tensor.ofLongs(new long[] {1, 2}, 2).dtype());
    assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
    assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1, 1, 1, 1, 1, 1, 1, 1, 1));
  }

  @Test
  void ofCopiesItsInput() {
    float[] src = {1, 2};
    Tensor t = Tensor.of(src, 2);
    src[0] = 9;
    assertEquals(1f, t.get(0));
  }

  @Test
  void seededRandomIsReproducibleAndWellDistributed() {
    Tensor a = Tensor.randn(new Generator(3), 10000);
    Tensor b = Tensor.randn(new Generator(3), 10000);
    assertArrayEquals(a.toFloatArray(), b.toFloatArray());
    assertEquals(0, a.mean().item(), 0.05);
    assertEquals(1, a.var(true).item(), 0.05);
    Tensor u = Tensor.uniform(new Generator(4), -2, 2, 10000);
    assertTrue(u.max().item() < 2 && u.neg().max().item() <= 2);
    assertEquals(0, u.mean().item(), 0.1);
  }

  @Test
  void viewsShareStorage() {
    Tensor x = Tensor.arange(24).reshape(2, 3, 4);
    Tensor p = x.permute(2, 0, 1);
    assertArrayEquals(new int[] {4, 2, 3}, p.shape());
    assertEquals(x.get(1, 2, 3), p.get(3, 1, 2));
    assertFalse(p.isContiguous());
    Tensor n = x.narrow(2, 1, 2);
    assertEquals(x.get(1, 1, 2), n.get(1, 1, 1));
    n.set(100f, 0, 0, 0);
    assertEquals(100f, x.get(0, 0, 1));
    Tensor e = Tensor.of(new float[] {1, 2, 3}, 3, 1).expand(3, 4);
    assertArrayEquals(new float[] {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, e.toFloatArray());
    assertArrayEquals(new int[] {3}, Tensor.zeros(1, 3, 1).squeeze().shape());
    assertArrayEquals(new int[] {3, 1}, Tensor.zeros(1, 3, 1).squeeze(0).shape());
    assertArrayEquals(new int[] {3, 1, 1}, Tensor.zeros(3, 1).unsqueeze(-1).shape());
    assertArrayEquals(new int[] {2, 12}, x.flatten(1).shape());
    assertArrayEquals(new int[] {6, 4}, x.reshape(-1, 4).shape());
    assertArrayEquals(p.toFloatArray(), p.contiguous().toFloatArray());
    assertThrows(IllegalArgumentException.class, () -> p.view(24));
    assertArrayEquals(p.toFloatArray(), p.reshape(24).toFloatArray());
    assertThrows(IllegalArgumentException.class, () -> x.reshape(5, -1));
    assertThrows(IllegalArgumentException.class, () -> x.narrow(0, 1, 2));
  }

  @Test
  void broadcastingFollowsNumpy() {
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor b = Tensor.of(new float[] {10, 20, 30}, 3);
    assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, a.add(b).toFloatArray());
    Tensor c = Tensor.of(new float[] {100, 200}, 2, 1);
    assertArrayEquals(new float[] {99, 98, 97, 196, 195, 194}, c.sub(a).toFloatArray());
    assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12}, a.mul(2).toFloatArray());
    assertArrayEquals(new float[] {0.5f, 1, 1.5f, 2, 2.5f, 3}, a.div(2).toFloatArray());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Tensor.zeros(2, 3).add(Tensor.zeros(4)));
    assertEquals("add: shapes [2, 3] and [4] cannot be broadcast", e.getMessage());
  }

  @Test
  void unaryOpsMatchJavaMath() {
    float[] v = {-2f, -0.5f, 0f, 0.5f, 3f};
    Tensor x = Tensor.of(v, 5);
    for (int i = 0; i < v.length; i++) {
      assertEquals(Math.exp(v[i]), x.exp().get(i), 1e-5 * Math.exp(v[i]));
      assertEquals(Math.abs(v[i]), x.abs().get(i), EPS);
      assertEquals(Math.max(v[i], 0), x.relu().get(i), EPS);
      assertEquals(1 / (1 + Math.exp(-v[i])), x.sigmoid().get(i), 1e-6);
      assertEquals(Math.tanh(v[i]), x.tanh().get(i), 1e-6);
      assertEquals(Math.min(Math.max(v[i], -1), 1), x.clamp(-1, 1).get(i), EPS);
      assertEquals(v[i] * v[i], x.pow(2).get(i), EPS);
      assertEquals(-v[i], x.neg().get(i), EPS);
    }
    Tensor pos = Tensor.of(new float[] {0.25f, 4f}, 2);
    assertArrayEquals(new float[] {0.5f, 2f}, pos.sqrt().toFloatArray(), EPS);
    assertArrayEquals(new float[] {(float) Math.log(0.25), (float) Math.log(4)}, pos.log().toFloatArray(), EPS);
  }

  @Test
  void comparisonsGiveMasks() {
    Tensor a = Tensor.of(new float[] {1, 2, 3}, 3);
    Tensor b = Tensor.scalar(2);
    assertArrayEquals(new float[] {0, 0, 1}, a.gt(b).toFloatArray());
    assertArrayEquals(new float[] {1, 0, 0}, a.lt(b).toFloatArray());
    assertArrayEquals(new float[] {0, 1, 1}, a.ge(b).toFloatArray());
    assertArrayEquals(new float[] {1, 1, 0}, a.le(b).toFloatArray());
    assertArrayEquals(new float[] {0, 1, 0}, a.eq(b).toFloatArray());
    assertArrayEquals(new float[] {2, 2, 3}, a.maximum(b).toFloatArray());
    assertArrayEquals(new float[] {1, 2, 2}, a.minimum(b).toFloatArray());
  }

  @Test
  void reductionsOverAnyDims() {
    Generator g = new Generator(1);
    Tensor x = Tensor.randn(g, 2, 3, 4);
    float[] v = x.toFloatArray();
    // sum over dims 0 and 2 by direct loops
    Tensor s = x.sum(new int[] {0, 2}, false);
    assertArrayEquals(new int[] {3}, s.shape());
    for (int j = 0; j < 3; j++) {
      double ref = 0;
      for (int i = 0; i < 2; i++) {
        for (int k = 0; k < 4; k++) {
          ref += v[i * 12 + j * 4 + k];
        }
      }
      assertEquals(ref, s.get(j), 1e-5);
    }
    assertArrayEquals(new int[] {1, 3, 1}, x.sum(new int[] {0, -1}, true).shape());
    assertEquals(x.sum().item() / 24, x.mean().item(), 1e-6);
    // variance, both conventions, on known values
    Tensor k = Tensor.of(new float[] {1, 2, 3, 4}, 4);
    assertEquals(1.25f, k.var(false).item(), EPS);
    assertEquals(5f / 3, k.var(true).item(), 1e-6);
    // max / argmax along the middle dimension of a permuted view
    Tensor p = x.permute(2, 0, 1);
    Tensor m = p.max(2, false);
    Tensor am = p.argmax(2);
    for (int a = 0; a < 4; a++) {
      for (int b = 0; b < 2; b++) {
        float best = Float.NEGATIVE_INFINITY;
        int bi = -1;
        for (int c = 0; c < 3; c++) {
          if (p.get(a, b, c) > best) {
            best = p.get(a, b, c);
            bi = c;
          }
        }
        assertEquals(best, m.get(a, b));
        assertEquals(bi, am.get(a, b));
      }
    }
    assertEquals(DType.INT64, am.dtype());
  }

  @Test
  void logSumExpAndSoftmaxAreStable() {
    Tensor z = Tensor.of(new float[] {1000f, 1000f, -1000f, 0f}, 2, 2);
    Tensor lse = z.logSumExp(1, false);
    assertEquals(1000 + Math.log(2), lse.get(0), 1e-3);
    assertEquals(0f, lse.get(1), 1e-6);
    Tensor sm = z.softmax(1);
    assertArrayEquals(new float[] {0.5f, 0.5f, 0f, 1f}, sm.toFloatArray(), 1e-6f);
    Tensor ls = z.logSoftmax(1);
    assertEquals(-Math.log(2), ls.get(0, 0), 1e-5);
  }

  @Test
  void matmulMatchesNaiveLoopsIncludingTransposedViewsAndBatches() {
    Generator g = new Generator(2);
    Tensor a = Tensor.randn(g, 5, 7);
    Tensor b = Tensor.randn(g, 7, 3);
    assertTrue(a.matmul(b).allClose(naive(a, b), 1e-5, 1e-5));
    Tensor at = Tensor.randn(g, 7, 5).t();
    Tensor bt = Tensor.randn(g, 3, 7).t();
    assertTrue(at.matmul(bt).allClose(naive(at, bt), 1e-5, 1e-5));
    Tensor batch = Tensor.randn(g, 2, 5, 7);
    Tensor prod = batch.matmul(b);
    assertArrayEquals(new int[] {2, 5, 3}, prod.shape());
    for (int i = 0; i < 2; i++) {
      Tensor slice = batch.narrow(0, i, 1).reshape(5, 7);
      assertTrue(prod.narrow(0, i, 1).reshape(5, 3).allClose(naive(slice, b), 1e-5, 1e-5));
    }
    Tensor vec = Tensor.randn(g, 7);
    assertArrayEquals(new int[] {5}, a.matmul(vec).shape());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.matmul(a));
    assertTrue(e.getMessage().contains("[5, 7] and [5, 7]"), e.getMessage());
  }

  private static Tensor naive(Tensor a, Tensor b) {
    int m = a.size(0);
    int k = a.size(1);
    int n = b.size(1);
    float[] out = new float[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          s += a.get(i, p) * b.get(p, j);
        }
        out[i * n + j] = (float) s;
      }
    }
    return Tensor.of(out, m, n);
  }

  @Test
  void joinAndIndex() {
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    Tensor b = Tensor.of(new float[] {5, 6}, 1, 2);
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, Tensor.cat(List.of(a, b), 0).toFloatArray());
    Tensor st = Tensor.stack(List.of(a, a), 1);
    assertArrayEquals(new int[] {2, 2, 2}, st.shape());
    assertArrayEquals(new float[] {1, 2, 1, 2, 3, 4, 3, 4}, st.toFloatArray());
    Tensor[] parts = Tensor.arange(5).split(new int[] {2, 3}, 0);
    assertArrayEquals(new float[] {2, 3, 4}, parts[1].toFloatArray());
    Tensor sel = a.indexSelect(1, Tensor.of(new float[] {1, 1, 0}, 3));
    assertArrayEquals(new float[] {2, 2, 1, 4, 4, 3}, sel.toFloatArray());
    Tensor gat = a.gather(1, Tensor.of(new float[] {1, 0}, 2, 1));
    assertArrayEquals(new float[] {2, 3}, gat.toFloatArray());
    assertArrayEquals(new float[] {0, 1, 0, 1, 0, 0}, Tensor.oneHot(Tensor.of(new float[] {1, 0}, 2), 3)
        .toFloatArray());
    assertThrows(IndexOutOfBoundsException.class, () -> Tensor.oneHot(Tensor.of(new float[] {3}, 1), 3));
    assertThrows(IllegalArgumentException.class, () -> Tensor.cat(List.of(a, Tensor.zeros(1, 3)), 0));
  }

  @Test
  void inPlaceOpsWriteThroughViews() {
    Tensor x = Tensor.zeros(2, 3);
    x.narrow(1, 1, 2).fill(5);
    assertArrayEquals(new float[] {0, 5, 5, 0, 5, 5}, x.toFloatArray());
    x.addInPlace(Tensor.of(new float[] {1, 2, 3}, 3));
    assertArrayEquals(new float[] {1, 7, 8, 1, 7, 8}, x.toFloatArray());
    x.addInPlace(-1f, Tensor.ones(2, 3));
    x.mulInPlace(2);
    assertArrayEquals(new float[] {0, 12, 14, 0, 12, 14}, x.toFloatArray());
    x.t().narrow(0, 0, 1).copyFrom(Tensor.of(new float[] {9, 8}, 2));
    assertArrayEquals(new float[] {9, 12, 14, 8, 12, 14}, x.toFloatArray());
    x.subInPlace(x.detach()).zero();
    assertArrayEquals(new float[6], x.toFloatArray());
    Tensor y = Tensor.of(new float[] {4, 9, 16, 25, -1, 0}, 2, 3);
    y.narrow(1, 0, 2).sqrtInPlace();
    assertArrayEquals(new float[] {2, 3, 16, 5, Float.NaN, 0}, y.toFloatArray());
    y.divInPlace(Tensor.of(new float[] {2, 4, 8}, 3));
    assertArrayEquals(new float[] {1, 0.75f, 2, 2.5f, Float.NaN, 0}, y.toFloatArray());
    y.t().narrow(0, 2, 1).divInPlace(Tensor.scalar(0f));
    assertArrayEquals(new float[] {1, 0.75f, Float.POSITIVE_INFINITY, 2.5f, Float.NaN, Float.NaN},
        y.toFloatArray());
    Tensor big = Tensor.arange(100_000).sqrtInPlace();
    assertEquals((float) Math.sqrt(99_999), big.toFloatArray()[99_999]);
  }

  /**
   * Results of one shape share one immutable shape and strides array (a step wraps hundreds of results in a
   * few shapes); a caller changing its own shape array afterwards changes no tensor, and more shapes than the
   * cache holds still get their own layouts.
   */
  @Test
  void wrappedResultsShareTheLayoutOfTheirShape() {
    int[] shape = {2, 3};
    Tensor a = Tensor.wrap(new float[6], shape);
    shape[0] = 3;
    shape[1] = 2;
    Tensor b = Tensor.wrap(new float[6], shape);
    assertArrayEquals(new int[] {2, 3}, a.shape());
    assertArrayEquals(new int[] {3, 1}, a.strides());
    assertArrayEquals(new int[] {3, 2}, b.shape());
    assertArrayEquals(new int[] {2, 1}, b.strides());
    Tensor c = Tensor.wrap(new float[6], 2, 3);
    assertSame(a.shape, c.shape);
    assertSame(a.strides, c.strides);
    for (int n = 1; n <= 40; n++) {
      Tensor t = Tensor.wrap(new float[n * 4], n, 2, 2);
      assertArrayEquals(new int[] {n, 2, 2}, t.shape());
      assertArrayEquals(new int[] {4, 2, 1}, t.strides());
    }
    assertArrayEquals(new int[] {2, 3}, Tensor.wrap(new float[6], 2, 3).shape());
  }

  /** Multiplying in place by a number is a product per element: -0 stays -0, on a view and on a whole tensor. */
  @Test
  void mulInPlaceByANumberKeepsTheSignOfZero() {
    float[] values = {1.5f, -2f, 0f, -0f, Float.NaN, Float.NEGATIVE_INFINITY};
    float[] expected = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      expected[i] = values[i] * -3f;
    }
    assertArrayEquals(expected, Tensor.of(values.clone(), 6).mulInPlace(-3f).toFloatArray());
    Tensor strided = Tensor.of(values.clone(), 2, 3);
    strided.t().mulInPlace(-3f); // not contiguous: the broadcasting route
    assertArrayEquals(expected, strided.toFloatArray());
    Tensor big = Tensor.full(-0f, 100_000).mulInPlace(2f); // split across threads
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(big.toFloatArray()[99_999]));
  }

  @Test
  void inPlaceAddOfAnOverlappingViewReadsTheOriginalValues() {
    // Large enough that the kernel splits the range across threads: with other one chunk ahead of this in
    // the same array, a chunk done late would read what an earlier chunk wrote.
    int n = 1 << 20;
    int shift = n / 8;
    float[] original = new float[n + shift];
    for (int i = 0; i < original.length; i++) {
      original[i] = i % 1000;
    }
    float[] expected = new float[n];
    for (int i = 0; i < n; i++) {
      expected[i] = original[i] + original[i + shift];
    }
    float[] doubled = new float[n];
    for (int i = 0; i < n; i++) {
      doubled[i] = original[i] + original[i];
    }
    for (int round = 0; round < 5; round++) {
      Tensor base = Tensor.of(original.clone(), n + shift);
      base.narrow(0, 0, n).addInPlace(base.narrow(0, shift, n));
      assertArrayEquals(expected, base.narrow(0, 0, n).toFloatArray());
      Tensor same = Tensor.of(Arrays.copyOf(original, n), n);
      same.addInPlace(same);
      assertArrayEquals(doubled, same.toFloatArray());
    }
  }

  @Test
  void printsLikeTorch() {
    assertEquals("tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], shape=[2, 2])",
        Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).toString());
    String big = Tensor.arange(2000).toString();
    assertTrue(big.startsWith("tensor([0.0000, 1.0000, 2.0000, ..., 1997.0000"), big);
    assertTrue(Tensor.scalar(1e-7f).toString().contains("1.0000e-07"));
  }

  @Test
  void allCloseUsesBothTolerances() {
    Tensor a = Tensor.of(new float[] {1f, 100f}, 2);
    assertTrue(a.allClose(Tensor.of(new float[] {1.00001f, 100.01f}, 2), 1e-4, 1e-5));
    assertFalse(a.allClose(Tensor.of(new float[] {1.001f, 100f}, 2), 1e-4, 1e-5));
    assertFalse(a.allClose(Tensor.of(new float[] {1f, 100f, 0f}, 3), 1, 1));
    assertFalse(Tensor.scalar(Float.NaN).allClose(Tensor.scalar(Float.NaN), 1, 1));
  }

  @Test
  void detachSharesStorageWithoutGraph() {
    Tensor x = Tensor.ones(2).requiresGrad(true);
    Tensor y = x.mul(2);
    Tensor d = y.detach();
    assertFalse(d.requiresGrad());
    assertTrue(d.isLeaf());
    assertSame(null, d.grad());
  }
}
