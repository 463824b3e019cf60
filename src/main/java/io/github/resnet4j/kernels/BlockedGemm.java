package io.github.resnet4j.kernels;

/**
 * The packed, cache-blocked GEMM (GotoBLAS/BLIS loop order). For each depth block of {@link #KC}, all
 * of op(A) is packed once; for each column block of {@link #NC}, op(B) is packed once; then tiles of
 * C of {@link #MC} rows by {@link #NT} columns are computed in parallel. The split is over C only,
 * so every C element sees the same sequence of operations whatever the thread count.
 */
final class BlockedGemm {
  /** Depth block: an [8, 256] A panel plus a [256, 32] B panel fit in L1. */
  static final int KC = 256;
  /** Rows per parallel tile: the tile's packed A (128 x 256 floats) stays in L2. */
  static final int MC = 128;
  /** Columns per parallel tile. */
  static final int NT = 512;
  /** Columns per packed B block, bounding the B buffer at KC x NC floats. */
  static final int NC = 4096;
  /** Below this many flops per depth-and-column block, threads cost more than they save. */
  private static final long PARALLEL_FLOPS = 4L << 20;
  /** Packing work per task, in floats, worth sending to another thread. */
  private static final int PACK_GRAIN = 64 * 1024;

  private BlockedGemm() {}

  static void run(KernelProvider kp, boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, boolean accumulate,
      float[] c, int cOff, int ldc) {
    int mr = kp.mr();
    int nr = kp.nr();
    int mPanels = (m + mr - 1) / mr;
    int kcMax = Math.min(k, KC);
    int ncMax = Math.min(roundUp(n, nr), NC);
    float[] ap = Scratch.get(Scratch.GEMM_A, mPanels * mr * kcMax);
    float[] bp = Scratch.get(Scratch.GEMM_B, ncMax * kcMax);
    for (int pc = 0; pc < k; pc += KC) {
      int kc = Math.min(KC, k - pc);
      int p0 = pc;
      Parallel.forRange(mPanels, grain(mr * kc), (from, to) -> {
        for (int q = from; q < to; q++) {
          int i0 = q * mr;
          Packing.packA(transA, a, aOff, lda, i0, Math.min(mr, m - i0), p0, kc, mr, ap, q * mr * kc);
        }
      });
      boolean load = accumulate || pc > 0;
      for (int jc = 0; jc < n; jc += NC) {
        int nc = Math.min(NC, n - jc);
        int nPanels = (nc + nr - 1) / nr;
        int j0 = jc;
        Parallel.forRange(nPanels, grain(nr * kc), (from, to) -> {
          for (int q = from; q < to; q++) {
            int j = j0 + q * nr;
            Packing.packB(transB, b, bOff, ldb, j, Math.min(nr, n - j), p0, kc, nr, bp, q * nr * kc);
          }
        });
        int mBlocks = (m + MC - 1) / MC;
        int nBlocks = (nc + NT - 1) / NT;
        long tileFlops = 2L * Math.min(m, MC) * Math.min(nc, NT) * kc;
        int minGrain = (int) Math.max(1, Math.min(Integer.MAX_VALUE, PARALLEL_FLOPS / tileFlops));
        Parallel.forRange(mBlocks * nBlocks, minGrain, (from, to) -> {
          for (int t = from; t < to; t++) {
            int ib = t % mBlocks;
            int jb = t / mBlocks;
            int i0 = ib * MC;
            int jt = jb * NT;
            macro(kp, kc, ap, bp, i0, Math.min(m, i0 + MC), jt, Math.min(nc, jt + NT), m, n, j0,
                c, cOff, ldc, load);
          }
        });
      }
    }
  }

  /**
   * Computes the C block rows {@code [i0, i1)}, columns {@code [jc + jt0, jc + jt1)}. The B
   * micro-panel stays in L1 while the inner loop walks down the packed A.
   */
  private static void macro(KernelProvider kp, int kc, float[] ap, float[] bp, int i0, int i1,
      int jt0, int jt1, int m, int n, int jc, float[] c, int cOff, int ldc, boolean load) {
    int mr = kp.mr();
    int nr = kp.nr();
    for (int jt = jt0; jt < jt1; jt += nr) {
      int bOffset = (jt / nr) * nr * kc;
      int j = jc + jt;
      int cols = Math.min(nr, n - j);
      for (int i = i0; i < i1; i += mr) {
        int aOffset = (i / mr) * mr * kc;
        int rows = Math.min(mr, m - i);
        int ci = cOff + i * ldc + j;
        kp.tile(kc, ap, aOffset, bp, bOffset, c, ci, ldc, rows, cols, load);
      }
    }
  }

  private static int grain(int floatsPerPanel) {
    return Math.max(1, PACK_GRAIN / floatsPerPanel);
  }

  private static int roundUp(int x, int q) {
    return (x + q - 1) / q * q;
  }
}
