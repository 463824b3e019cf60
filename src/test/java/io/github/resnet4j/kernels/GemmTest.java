package io.github.resnet4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kernels")
class GemmTest {
  /** One product with padded, offset storage; {@link #run} computes it with given kernels. */
  static final class Case {
    final boolean ta;
    final boolean tb;
    final int m;
    final int n;
    final int k;
    final int lda;
    final int ldb;
    final int ldc;
    final int aOff = 3;
    final int bOff = 5;
    final int cOff = 7;
    final float[] a;
    final float[] b;
    final float[] c0;

    Case(boolean ta, boolean tb, int m, int n, int k, long seed) {
      this.ta = ta;
      this.tb = tb;
      this.m = m;
      this.n = n;
      this.k = k;
      SplittableRandom r = new SplittableRandom(seed);
      lda = (ta ? m : k) + r.nextInt(3);
      ldb = (tb ? k : n) + r.nextInt(3);
      ldc = n + r.nextInt(3);
      a = random(r, aOff + (ta ? k : m) * lda);
      b = random(r, bOff + (tb ? n : k) * ldb);
      c0 = random(r, cOff + m * ldc);
    }

    float[] run(KernelProvider kp, float beta, boolean nanFill) {
      float[] c = c0.clone();
      if (nanFill) {
        for (int i = 0; i < m; i++) {
          Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
        }
      }
      Gemm.sgemm(kp, ta, tb, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return c;
    }

    double ref(int i, int j, float beta) {
      double s = beta == 0 ? 0 : beta * (double) c0[cOff + i * ldc + j];
      for (int p = 0; p < k; p++) {
        double av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        double bv = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
        s += av * bv;
      }
      return s;
    }

    void check(float[] c, float beta) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double want = ref(i, j, beta);
          // Error bound of a float dot product of length k with |a|,|b| <= 1.
          double tol = 1e-6 * (k + 2) + 1e-6 * Math.abs(want);
          float got = c[cOff + i * ldc + j];
          if (!(Math.abs(got - want) <= tol)) {
            throw new AssertionError(this + " beta=" + beta + " C[" + i + "," + j + "]=" + got + ", want " + want);
          }
        }
        // Padding between rows and after the matrix stays untouched.
        for (int j = n; j < ldc && i < m - 1; j++) {
          assertEquals(c0[cOff + i * ldc + j], c[cOff + i * ldc + j], "padding overwritten");
        }
      }
      for (int p = 0; p < cOff; p++) {
        assertEquals(c0[p], c[p], "before C overwritten");
      }
    }

    @Override
    public String toString() {
      return "gemm(transA=" + ta + ", transB=" + tb + ", m=" + m + ", n=" + n + ", k=" + k + ")";
    }
  }

  static float[] random(SplittableRandom r, int size) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return x;
  }

  static List<KernelProvider> providers() {
    List<KernelProvider> ps = new ArrayList<>();
    ps.add(Kernels.plain());
    if (Kernels.vectorModulePresent()) {
      ps.add(Kernels.vector());
    }
    return ps;
  }

  static List<Case> cases() {
    int[] sizes = {1, 3, 17, 33, 65, 130};
    List<Case> cs = new ArrayList<>();
    long seed = 1;
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        for (int m : sizes) {
          for (int n : sizes) {
            int k = sizes[(int) (seed % sizes.length)];
            cs.add(new Case(ta, tb, m, n, k, seed++));
          }
        }
        // Cross the blocking boundaries (KC=512, MC=128, NT=512, panels of 8 x 32 or 8 x 512).
        cs.add(new Case(ta, tb, 137, 520, 600, seed++));
        cs.add(new Case(ta, tb, 9, 1030, 513, seed++));
        // Conv-shaped products (C rows = output channels) whose last row panel has 4 or 2 rows on 6- and
        // 8-row tiles: the short full-width tiles, with B read in place and packed.
        for (int m : new int[] {2, 4, 10, 16, 32, 64}) {
          cs.add(new Case(ta, tb, m, 96, 37, seed++));
        }
        cs.add(new Case(ta, tb, 16, 2048, 300, seed++));
      }
    }
    return cs;
  }

  @Test
  void matchesDoubleReferenceForAllTransposesAndBetas() {
    for (KernelProvider kp : providers()) {
      for (Case c : cases()) {
        c.check(c.run(kp, 0f, true), 0f);
        c.check(c.run(kp, 1f, false), 1f);
      }
    }
  }

  @Test
  void otherBetaScalesC() {
    Case c = new Case(false, false, 20, 40, 60, 99);
    c.check(c.run(Kernels.PROVIDER, 0.5f, false), 0.5f);
  }

  @Test
  void zeroDepthOverwritesOrKeepsC() {
    Case c = new Case(false, false, 5, 6, 0, 7);
    float[] z = c.run(Kernels.PROVIDER, 0f, true);
    c.check(z, 0f);
    assertArrayEquals(c.c0, c.run(Kernels.PROVIDER, 1f, false));
  }

  @Test
  void providersAndPathsAreBitIdentical() {
    // Same fma chain per element everywhere: plain vs vector, small vs blocked path.
    List<KernelProvider> ps = providers();
    for (Case c : cases()) {
      float[] want = c.run(ps.get(0), 1f, false);
      for (KernelProvider kp : ps) {
        assertArrayEquals(want, c.run(kp, 1f, false), kp.name() + " " + c);
      }
      float[] small = c.c0.clone();
      SmallGemm.run(c.ta, c.tb, c.m, c.n, c.k, c.a, c.aOff, c.lda, c.b, c.bOff, c.ldb, true, small, c.cOff, c.ldc);
      assertArrayEquals(want, small, "small path " + c);
    }
  }

  @Test
  void resultsDoNotDependOnThreadCount() {
    int before = Parallel.threads();
    try {
      Case big = new Case(true, false, 300, 700, 600, 5);
      for (KernelProvider kp : providers()) {
        Parallel.setThreads(1);
        float[] one = big.run(kp, 0f, true);
        Parallel.setThreads(2);
        float[] two = big.run(kp, 0f, true);
        Parallel.setThreads(3);
        float[] three = big.run(kp, 0f, true);
        assertArrayEquals(one, two, kp.name());
        assertArrayEquals(one, three, kp.name());
        big.check(two, 0f);
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void largeProductIsAccurate() {
    Case big = new Case(false, false, 256, 1024, 1100, 11);
    big.check(big.run(Kernels.PROVIDER, 0f, true), 0f);
  }

  @Test
  void rejectsBadArguments() {
    float[] x = new float[100];
    assertThrows(IllegalArgumentException.class, () -> Gemm.sgemm(false, false, -1, 2, 2, x, 0, 2, x, 0, 2, 0f, x, 0, 2));
    assertThrows(IllegalArgumentException.class, () -> Gemm.sgemm(false, false, 2, 3, 2, x, 0, 2, x, 0, 3, 0f, x, 0, 2));
    Gemm.sgemm(false, false, 0, 3, 2, x, 0, 2, x, 0, 3, 0f, x, 0, 3);
    assertTrue(true);
  }
}
