package io.github.resnet4j.kernels;

/**
 * The packed, cache-blocked GEMM. op(A) is packed once per call (in row slabs that bound the buffer),
 * then one parallel loop runs over blocks of C's columns (and, when those are too few, rows); each
 * task packs its own slice of op(B) depth block by depth block and sweeps the register tile over it.
 * So a call costs at most two fork-joins, tasks never wait for each other, and the split is over C
 * only: every C element sees the same sequence of operations whatever the thread count.
 */
final class BlockedGemm {
  /**
   * Depth block: an [8, 512] A panel stays in L1 while the [512, 32] B panels stream from L2, and C is read and
   * written once per 512 steps of depth. In one JVM, SGEMM 1024^3 ran 184-185 GFLOP/s with 256 on one thread,
   * 188-191 with 512, and 298 against 315-322 on two; the blocks do not change any result's bits (each chain
   * continues from the value it stored).
   */
  static final int KC = 512;
  /**
   * Widest column block per task: the task's packed B (KC x 128 floats, 256 KiB) then stays in L2 beside the A
   * rows it meets. With 1,024 columns (then 1 MiB at a depth block of 256) it spilled, and one thread's SGEMM
   * 1024^3 ran 12-15 % slower.
   */
  static final int MAX_TASK_COLUMNS = 128;
  /** Packed A is at most this many floats (16 MiB); taller products go slab by slab. */
  private static final int A_CAP = 4 << 20;
  /** Below this many flops per task, handing work to another thread costs more than it saves. */
  private static final long TASK_FLOPS = 4L << 20;
  /** Tasks per thread, so that a core stolen by another process does not stall the whole call. */
  private static final int TASKS_PER_THREAD = 4;
  /** Packing work per task, in floats, worth sending to another thread. */
  private static final int PACK_GRAIN = 64 * 1024;
  /**
   * Up to this many rows of C per task, B is read in place rather than packed: the convolutions of up to
   * 64 output channels, with either tile height (6 or 8 rows).
   */
  static final int DIRECT_B_MAX_ROWS = 72;

  private BlockedGemm() {}

  static void run(KernelProvider kp, boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, boolean accumulate,
      float[] c, int cOff, int ldc) {
    int mr = kp.mr();
    int nr = kp.nr();
    int slabRows = Math.max(mr, A_CAP / k / mr * mr);
    for (int i0 = 0; i0 < m; i0 += slabRows) {
      int rows = Math.min(slabRows, m - i0);
      int mPanels = (rows + mr - 1) / mr;
      float[] ap = Scratch.get(Scratch.GEMM_A, mPanels * mr * k);
      int slab = i0;
      int grain = Math.max(1, PACK_GRAIN / (mr * k));
      if (Parallel.splits(mPanels, grain)) {
        Parallel.forRange(mPanels, grain, (from, to) -> packA(transA, a, aOff, lda, m, k, mr, slab, mPanels, ap,
            0, from, to));
      } else {
        packA(transA, a, aOff, lda, m, k, mr, slab, mPanels, ap, 0, 0, mPanels);
      }
      runSlab(kp, transB, i0, rows, mPanels, n, k, ap, b, bOff, ldb, accumulate, c, cOff, ldc);
    }
  }

  /**
   * Packs A panels {@code [from, to)} of the slab starting at row {@code slab} into {@code ap} from
   * {@code apOff}, depth block by depth block as the tile reads them.
   */
  static void packA(boolean transA, float[] a, int aOff, int lda, int m, int k, int mr, int slab,
      int mPanels, float[] ap, int apOff, int from, int to) {
    for (int q = from; q < to; q++) {
      int r0 = slab + q * mr;
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        // Panel q's depth block starting at pc lives at pc * mPanels * mr + q * mr * kc.
        Packing.packA(transA, a, aOff, lda, r0, Math.min(mr, m - r0), pc, kc, mr, ap,
            apOff + pc * mPanels * mr + q * mr * kc);
      }
    }
  }

  private static void runSlab(KernelProvider kp, boolean transB, int i0, int rows, int mPanels, int n,
      int k, float[] ap, float[] b, int bOff, int ldb, boolean accumulate, float[] c, int cOff, int ldc) {
    int nr = kp.nr();
    int threads = Parallel.threads();
    int wanted = threads > 1 ? threads * TASKS_PER_THREAD : 1;
    int width = roundUp((n + wanted - 1) / wanted, nr);
    width = Math.max(nr, Math.min(width, Math.max(nr, MAX_TASK_COLUMNS / nr * nr)));
    int colBlocks = (n + width - 1) / width;
    // Few column blocks (narrow C): split rows too; each row block then packs the same B, which is small.
    int rowBlocks = 1;
    if (threads > 1 && colBlocks < wanted) {
      rowBlocks = Math.max(1, Math.min((wanted + colBlocks - 1) / colBlocks, mPanels / 4));
    }
    long taskFlops = 2L * rows / rowBlocks * Math.min(n, width) * k;
    int minGrain = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TASK_FLOPS / Math.max(1, taskFlops)));
    SlabTasks tasks = SLAB_TASKS.get();
    tasks.set(kp, transB, i0, rows, mPanels, rowBlocks, width, n, k, ap, b, bOff, ldb, accumulate, c, cOff, ldc);
    try {
      Parallel.forRange(rowBlocks * colBlocks, minGrain, tasks);
    } finally {
      tasks.clear();
    }
  }

  private static final ThreadLocal<SlabTasks> SLAB_TASKS = ThreadLocal.withInitial(SlabTasks::new);

  /**
   * A slab's tasks as a loop body kept per calling thread: the conv backward runs thousands of GEMMs a step,
   * and a fresh lambda capturing these eighteen values for each was a tenth of what a step allocated. Safe to
   * reuse because the thread that set it waits in {@link Parallel#forRange} until every task has run, and no
   * task starts another slab on that thread.
   */
  private static final class SlabTasks implements RangeBody {
    private KernelProvider kp;
    private boolean transB;
    private int i0;
    private int rows;
    private int mPanels;
    private int rowBlocks;
    private int width;
    private int n;
    private int k;
    private float[] ap;
    private float[] b;
    private int bOff;
    private int ldb;
    private boolean accumulate;
    private float[] c;
    private int cOff;
    private int ldc;

    void set(KernelProvider kp, boolean transB, int i0, int rows, int mPanels, int rowBlocks, int width, int n,
        int k, float[] ap, float[] b, int bOff, int ldb, boolean accumulate, float[] c, int cOff, int ldc) {
      this.kp = kp;
      this.transB = transB;
      this.i0 = i0;
      this.rows = rows;
      this.mPanels = mPanels;
      this.rowBlocks = rowBlocks;
      this.width = width;
      this.n = n;
      this.k = k;
      this.ap = ap;
      this.b = b;
      this.bOff = bOff;
      this.ldb = ldb;
      this.accumulate = accumulate;
      this.c = c;
      this.cOff = cOff;
      this.ldc = ldc;
    }

    /** Drops the arrays, so that an idle thread's tasks do not keep a finished GEMM's operands alive. */
    void clear() {
      kp = null;
      ap = null;
      b = null;
      c = null;
    }

    @Override
    public void run(int from, int to) {
      for (int t = from; t < to; t++) {
        int r = t % rowBlocks;
        int cb = t / rowBlocks;
        int q0 = (int) ((long) mPanels * r / rowBlocks);
        int q1 = (int) ((long) mPanels * (r + 1) / rowBlocks);
        int j0 = cb * width;
        task(kp, transB, i0, rows, mPanels, q0, q1, j0, Math.min(n, j0 + width), n, k, ap, b, bOff, ldb,
            accumulate, c, cOff, ldc);
      }
    }
  }

  /**
   * Computes C rows of A panels {@code [q0, q1)} of the slab, columns {@code [j0, j1)}. The A panel
   * stays in L1 while the inner loop walks along the task's packed B (in L2) and along C's rows, which
   * the hardware prefetcher follows.
   */
  private static void task(KernelProvider kp, boolean transB, int i0, int rows, int mPanels, int q0, int q1,
      int j0, int j1, int n, int k, float[] ap, float[] b, int bOff, int ldb, boolean accumulate,
      float[] c, int cOff, int ldc) {
    int mr = kp.mr();
    int nr = kp.nr();
    int nPanels = (j1 - j0 + nr - 1) / nr;
    // Few row panels share each B panel: read the full-width panels of B in place instead of packing them.
    boolean direct = !transB && kp.vectorized() && (q1 - q0) * mr <= DIRECT_B_MAX_ROWS;
    float[] bp = Scratch.get(Scratch.GEMM_B, nPanels * nr * Math.min(k, KC));
    for (int pc = 0; pc < k; pc += KC) {
      int kc = Math.min(KC, k - pc);
      boolean load = accumulate || pc > 0;
      int aBlock = pc * mPanels * mr;
      if (direct) {
        for (int qj = 0; qj < nPanels; qj++) {
          int j = j0 + qj * nr;
          int cols = Math.min(nr, n - j);
          if (cols < nr) {
            Packing.packB(false, b, bOff, ldb, j, cols, pc, kc, nr, kp.readsBPadding(), bp, qj * nr * kc);
          }
          for (int q = q0; q < q1; q++) {
            int r = q * mr;
            if (cols == nr) {
              kp.fullWidthTileStridedB(kc, ap, aBlock + q * mr * kc, b, bOff + pc * ldb + j, ldb, c,
                  cOff + (i0 + r) * ldc + j, ldc, Math.min(mr, rows - r), load);
            } else {
              tile(kp, kc, ap, aBlock, q, bp, qj, i0, rows, j0, n, c, cOff, ldc, load);
            }
          }
        }
        continue;
      }
      for (int qj = 0; qj < nPanels; qj++) {
        int j = j0 + qj * nr;
        Packing.packB(transB, b, bOff, ldb, j, Math.min(nr, n - j), pc, kc, nr, kp.readsBPadding(), bp,
            qj * nr * kc);
      }
      if (kp.vectorized()) {
        for (int q = q0; q < q1; q++) {
          for (int qj = 0; qj < nPanels; qj++) {
            tile(kp, kc, ap, aBlock, q, bp, qj, i0, rows, j0, n, c, cOff, ldc, load);
          }
        }
      } else {
        // The plain tile streams its wide B panel once per step for every row, so keep that panel hot.
        for (int qj = 0; qj < nPanels; qj++) {
          for (int q = q0; q < q1; q++) {
            tile(kp, kc, ap, aBlock, q, bp, qj, i0, rows, j0, n, c, cOff, ldc, load);
          }
        }
      }
    }
  }

  private static void tile(KernelProvider kp, int kc, float[] ap, int aBlock, int q, float[] bp, int qj,
      int i0, int rows, int j0, int n, float[] c, int cOff, int ldc, boolean load) {
    int mr = kp.mr();
    int nr = kp.nr();
    int r = q * mr;
    int j = j0 + qj * nr;
    kp.tile(kc, ap, aBlock + q * mr * kc, bp, qj * nr * kc, c, cOff + (i0 + r) * ldc + j, ldc,
        Math.min(mr, rows - r), Math.min(nr, n - j), load);
  }

  private static int roundUp(int x, int q) {
    return (x + q - 1) / q * q;
  }
}
