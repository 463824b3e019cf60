package io.github.resnet4j.kernels;

/**
 * The few loops that differ between the Vector API and plain Java; everything else is shared.
 *
 * <p>Every implementation computes each C element as the same chain of {@code Math.fma} calls over
 * the K dimension in increasing order, starting from 0 or the old C value, so all providers, tile
 * sizes and thread counts give bit-identical results.
 */
interface KernelProvider {
  /** Name used in logs and benchmark reports. */
  String name();

  /** Whether this is the Vector API implementation. */
  boolean vectorized();

  /** Rows of the register tile; A is packed in panels of this many rows. */
  int mr();

  /** Columns of the register tile; B is packed in panels of this many columns. */
  int nr();

  /**
   * Whether {@link #tile} reads a ragged B panel past its {@code cols} real columns, so that packing must
   * zero them. The Vector API tile computes whole vectors and discards the extra lanes; the plain tile
   * stops at {@code cols}, and its 512-column panels would otherwise be mostly zeros written for nothing
   * (the weight gradient of a 16-channel 3x3 conv has 144 columns).
   */
  boolean readsBPadding();

  /**
   * Runs the hot loops on tiny operands until the JIT has queued them for full compilation, so that the
   * first real work runs compiled code. Touches no state but its own arrays; by default nothing to do.
   */
  default void warmUp() {}

  /**
   * Updates a {@code [rows, cols]} tile of C ({@code rows <= mr}, {@code cols <= nr}): for each p in
   * {@code [0, kc)} in order, {@code c[i][j] = fma(a[p][i], b[p][j], c[i][j])}. The packed panels are
   * always full size, zero-padded where {@link #readsBPadding()} says the tile reads the padding; elements
   * of C outside the tile are not touched.
   *
   * @param kc depth of the packed panels
   * @param a packed A panel, {@code [kc, mr]}
   * @param aOff start of the A panel
   * @param b packed B panel, {@code [kc, nr]}
   * @param bOff start of the B panel
   * @param c the C array
   * @param cOff index of the tile's top-left element
   * @param ldc C's row stride
   * @param rows rows of the tile that exist in C
   * @param cols columns of the tile that exist in C
   * @param load {@code false} to start from zero instead of reading C (C may hold garbage)
   */
  void tile(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc, int rows, int cols,
      boolean load);

  /**
   * The ReLU backward: {@code out[i] = x[i] > 0 ? g[i] : 0} for {@code i < n} (0 for NaN x). The branch
   * does not auto-vectorize, so the Vector API version uses a compare mask and a blend.
   *
   * @param x the ReLU's input (or output: both are positive at the same places)
   * @param xOff start in x
   * @param g the incoming gradient
   * @param gOff start in g
   * @param out the result (may alias g)
   * @param outOff start in out
   * @param n element count
   */
  void reluGrad(float[] x, int xOff, float[] g, int gOff, float[] out, int outOff, int n);

  /**
   * One step of a max scan that keeps the first maximum, as max pooling does: {@code best[i] = v[i]} where
   * {@code v[i] > best[i]}, or where v[i] is NaN and best[i] is not (so the first NaN stays), for {@code i < n}.
   * A pure selection, so every provider gives the same bits.
   *
   * @param best the running maxima, updated in place
   * @param bestOff start in best
   * @param v the next candidates
   * @param vOff start in v
   * @param n element count
   */
  void firstMax(float[] best, int bestOff, float[] v, int vOff, int n);

  /**
   * {@link RowWinograd}'s input transform of one plane, F(4, 3)'s {@code B^T d} down each column: for each tile
   * {@code q < tiles} of four output rows, with {@code d_r = x[src + (4 q + r) * pitch + u]} ({@code r < 6}),
   * {@code t[dst + k * stride + q * pitch + u] = t_k} for {@code u < len}, where
   * {@code t0 = (4 d0 - 5 d2) + d4}, {@code t1 = p + q'}, {@code t2 = p - q'}, {@code t3 = r + s}, {@code t4 = r - s},
   * {@code t5 = (4 d1 - 5 d3) + d5}, with {@code p = d4 - 4 d2}, {@code q' = d3 - 4 d1}, {@code r = d4 - d2},
   * {@code s = 2 (d3 - d1)}: each product and sum rounded in that order, so every provider gives the same bits.
   * Elements past a row's len, up to the last row's end, may be written too (the Vector API writes whole
   * vectors), so rows are written in order and the next row overwrites them.
   *
   * @param x the padded input
   * @param src the plane's first row
   * @param pitch floats from one row to the next, in x and in t
   * @param t the transformed planes
   * @param dst the first transform's plane
   * @param stride floats from one transform to the next
   * @param tiles tiles of four output rows (six input rows, four apart)
   * @param len elements per row, at most pitch
   */
  default void rowWinogradIn(float[] x, int src, int pitch, float[] t, int dst, int stride, int tiles, int len) {
    for (int q = 0; q < tiles; q++) {
      int s = src + 4 * q * pitch;
      int d = dst + q * pitch;
      for (int u = 0; u < len; u++) {
        float d0 = x[s + u];
        float d1 = x[s + pitch + u];
        float d2 = x[s + 2 * pitch + u];
        float d3 = x[s + 3 * pitch + u];
        float d4 = x[s + 4 * pitch + u];
        float d5 = x[s + 5 * pitch + u];
        float p = d4 - 4f * d2;
        float pq = d3 - 4f * d1;
        float r = d4 - d2;
        float rs = 2f * (d3 - d1);
        t[d + u] = 4f * d0 - 5f * d2 + d4;
        t[d + stride + u] = p + pq;
        t[d + 2 * stride + u] = p - pq;
        t[d + 3 * stride + u] = r + rs;
        t[d + 4 * stride + u] = r - rs;
        t[d + 5 * stride + u] = 4f * d1 - 5f * d3 + d5;
      }
    }
  }

  /**
   * {@link RowWinograd}'s output transform of one run, F(4, 3)'s {@code A^T m}: with
   * {@code m_k = m[mOff + k * mStride + u]} ({@code k < 6}), {@code a = m1 + m2}, {@code b = m1 - m2},
   * {@code c = m3 + m4}, {@code e = m3 - m4}, output row r of the tile at {@code s[sOff + r * sStride + u]}:
   * {@code (m0 + a) + c}, {@code b + 2 e}, {@code a + 4 c}, {@code (b + 8 e) + m5}, for {@code u < len}; each
   * product and sum rounded in that order, so every provider gives the same bits.
   *
   * @param m the six products
   * @param mOff the run's start in the first
   * @param mStride floats from one product to the next
   * @param s the output rows
   * @param sOff the run's start in the first row
   * @param sStride floats from one output row to the next
   * @param len elements
   */
  default void rowWinogradOut(float[] m, int mOff, int mStride, float[] s, int sOff, int sStride, int len) {
    for (int u = 0; u < len; u++) {
      float m0 = m[mOff + u];
      float m1 = m[mOff + mStride + u];
      float m2 = m[mOff + 2 * mStride + u];
      float m3 = m[mOff + 3 * mStride + u];
      float m4 = m[mOff + 4 * mStride + u];
      float m5 = m[mOff + 5 * mStride + u];
      float a = m1 + m2;
      float b = m1 - m2;
      float c = m3 + m4;
      float e = m3 - m4;
      s[sOff + u] = m0 + a + c;
      s[sOff + sStride + u] = b + 2f * e;
      s[sOff + 2 * sStride + u] = a + 4f * c;
      s[sOff + 3 * sStride + u] = b + 8f * e + m5;
    }
  }

  /**
   * A convolution's epilogue on a run of one plane ({@link ConvEpilogue}): {@code y[i] = act((y[i] + bias) +
   * residual[i])} for {@code off <= i < off + n}, each sum rounded on its own in that order, the bias added only
   * if {@code addBias} (adding +0 would turn -0 into +0), the residual only if not null, and {@code act} the
   * ReLU's {@code Math.max(., 0f)} (NaN stays NaN, -0 becomes +0) if {@code relu}, else nothing. Every provider
   * gives the same bits; by default these loops. The Vector API's, alternating step by step in one JVM:
   * seed-small inference at batch 128 1.18x, the seed at batch 32 1.0x, ResNet-20 at batch 128 0.98-0.99x.
   *
   * @param y the convolution's output, updated in place
   * @param off start in y, and in the residual
   * @param n element count
   * @param addBias whether to add bias
   * @param bias the plane's bias
   * @param residualOrNull y's shape, or null for none
   * @param relu whether to apply the ReLU last
   */
  default void convEpilogue(float[] y, int off, int n, boolean addBias, float bias, float[] residualOrNull,
      boolean relu) {
    // One loop per case, each of which C2 compiles without branches.
    float[] r = residualOrNull;
    int end = off + n;
    if (addBias) {
      if (r != null && relu) {
        for (int i = off; i < end; i++) {
          y[i] = Math.max(y[i] + bias + r[i], 0f);
        }
      } else if (r != null) {
        for (int i = off; i < end; i++) {
          y[i] = y[i] + bias + r[i];
        }
      } else if (relu) {
        for (int i = off; i < end; i++) {
          y[i] = Math.max(y[i] + bias, 0f);
        }
      } else {
        for (int i = off; i < end; i++) {
          y[i] += bias;
        }
      }
    } else if (r != null && relu) {
      for (int i = off; i < end; i++) {
        y[i] = Math.max(y[i] + r[i], 0f);
      }
    } else if (r != null) {
      for (int i = off; i < end; i++) {
        y[i] += r[i];
      }
    } else if (relu) {
      for (int i = off; i < end; i++) {
        y[i] = Math.max(y[i], 0f);
      }
    }
  }

  /**
   * A full-width tile ({@code [rows, nr]}, {@code rows <= mr}) like {@link #tile}, reading B unpacked: row
   * p of the panel is {@code b[bOff + p * ldb .. + nr)}. Worth it when few A panels share each B panel
   * (small M), where packing B would cost as much as the multiply. Same operation order, so the same bits
   * as {@link #tile}.
   *
   * @param kc depth
   * @param a packed A panel
   * @param aOff its start
   * @param b B, row-major
   * @param bOff the panel's first element
   * @param ldb B's row stride
   * @param c the C array
   * @param cOff the tile's top-left element
   * @param ldc C's row stride
   * @param rows rows of the tile that exist in C
   * @param load whether to accumulate into C
   */
  void fullWidthTileStridedB(int kc, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff,
      int ldc, int rows, boolean load);

  /**
   * Writes {@code dst[dstOff + u] = lo <= u < hi ? src[srcOff + u] : 0} for {@code u < len}: a run of a
   * convolution's panel unfold, whose columns outside {@code [lo, hi)} read the zero padding. Reads only
   * {@code src[srcOff + lo .. srcOff + hi)}. For the short runs (a panel's width) that the unfold writes by
   * the hundred thousand per layer, where arraycopy's fixed cost is most of the time and C2's
   * auto-vectorizer does not reach loops this short.
   *
   * @param src the source
   * @param srcOff where column 0 of the run would be read
   * @param dst the destination
   * @param dstOff first element written
   * @param len element count written
   * @param lo first column read from src
   * @param hi one past the last column read from src ({@code lo <= hi <= len})
   */
  void copyRun(float[] src, int srcOff, float[] dst, int dstOff, int len, int lo, int hi);

  /**
   * {@link #tile} with A read in place: row {@code i} of the tile's A is {@code a[aBase + rowStarts[rowOff + i]
   * .. + kc)}, the depth contiguous. Same operations in the same order as packing those rows and calling
   * {@link #tile}, so the same bits; by default it does exactly that.
   *
   * @param kc depth
   * @param a the array A's rows lie in
   * @param aBase added to every row start
   * @param rowStarts where each row of A starts, relative to aBase
   * @param rowOff the start of row 0 in rowStarts
   * @param b packed B panel, {@code [kc, nr]}
   * @param bOff its start
   * @param c the C array
   * @param cOff the tile's top-left element
   * @param ldc C's row stride
   * @param rows rows of the tile that exist (at most mr)
   * @param cols columns of the tile that exist (at most nr)
   * @param load whether to accumulate into C
   */
  default void tileRowsA(int kc, float[] a, int aBase, int[] rowStarts, int rowOff, float[] b, int bOff, float[] c,
      int cOff, int ldc, int rows, int cols, boolean load) {
    int mr = mr();
    float[] panel = Scratch.get(Scratch.TILE_A, kc * mr);
    for (int i = 0; i < mr; i++) {
      int s = i < rows ? aBase + rowStarts[rowOff + i] : -1;
      for (int p = 0; p < kc; p++) {
        panel[p * mr + i] = s < 0 ? 0f : a[s + p];
      }
    }
    tile(kc, panel, 0, b, bOff, c, cOff, ldc, rows, cols, load);
  }

  /**
   * Whether {@link #tileRowsAHalf} has a register tile of its own. Where it has not, a product with at most
   * {@code nr / 2} columns is better run by {@link #tileRowsA} on B panels padded with zeros.
   *
   * @return false by default
   */
  default boolean halfWidthRowsA() {
    return false;
  }

  /**
   * {@link #tileRowsA} on a B panel half as wide: {@code b} is packed {@code [kc, nr / 2]} and
   * {@code cols <= nr / 2}. For a weight gradient with 16 output channels where the register tile is 32
   * columns wide (AVX-512), which would otherwise multiply as many zeros as values. Same chain of
   * {@code fma} per element, so the same bits; by default a plain loop, the reference the tile is tested
   * against.
   *
   * @param kc depth
   * @param a the array A's rows lie in
   * @param aBase added to every row start
   * @param rowStarts where each row of A starts, relative to aBase
   * @param rowOff the start of row 0 in rowStarts
   * @param b packed B panel, {@code [kc, nr / 2]}
   * @param bOff its start
   * @param c the C array
   * @param cOff the tile's top-left element
   * @param ldc C's row stride
   * @param rows rows of the tile that exist (at most mr)
   * @param cols columns of the tile that exist (at most nr / 2)
   * @param load whether to accumulate into C
   */
  default void tileRowsAHalf(int kc, float[] a, int aBase, int[] rowStarts, int rowOff, float[] b, int bOff,
      float[] c, int cOff, int ldc, int rows, int cols, boolean load) {
    int half = nr() / 2;
    for (int i = 0; i < rows; i++) {
      int s = aBase + rowStarts[rowOff + i];
      for (int j = 0; j < cols; j++) {
        float sum = load ? c[cOff + i * ldc + j] : 0f;
        for (int p = 0; p < kc; p++) {
          sum = Math.fma(a[s + p], b[bOff + p * half + j], sum);
        }
        c[cOff + i * ldc + j] = sum;
      }
    }
  }

  /**
   * A full-width tile ({@code [rows, nr]}) like {@link #tile}, reading B unpacked: row {@code p} of the panel
   * is {@code b[bBase + offs[offOff + p] .. + nr / 2)} followed by {@code b[bBase2 + offs[offOff + p] ..
   * + nr - nr / 2)} (with {@code bBase2 = bBase + nr / 2}, one run). For a stride-1 convolution on a
   * zero-padded copy of its input, every row of a panel of output pixels is such a pair of runs when the
   * output rows are a multiple of {@code nr / 2} wide, so the panel need not be unfolded. Same operations in
   * the same order as gathering the panel and calling {@link #tile}, so the same bits; by default it does
   * exactly that.
   *
   * @param kc depth
   * @param a packed A panel
   * @param aOff its start
   * @param b the array B's rows lie in
   * @param bBase added to every offset for the first half of a row
   * @param bBase2 added to every offset for the second half
   * @param offs where each row of B starts, relative to bBase
   * @param offOff the offset of row 0 in offs
   * @param c the C array
   * @param cOff the tile's top-left element
   * @param ldc C's row stride
   * @param rows rows of the tile that exist (at most mr)
   * @param load whether to accumulate into C
   */
  default void tileOffsetB(int kc, float[] a, int aOff, float[] b, int bBase, int bBase2, int[] offs, int offOff,
      float[] c, int cOff, int ldc, int rows, boolean load) {
    int nr = nr();
    int half = nr / 2;
    float[] panel = Scratch.get(Scratch.TILE_B, kc * nr);
    for (int p = 0; p < kc; p++) {
      System.arraycopy(b, bBase + offs[offOff + p], panel, p * nr, half);
      System.arraycopy(b, bBase2 + offs[offOff + p], panel, p * nr + half, nr - half);
    }
    tile(kc, a, aOff, panel, 0, c, cOff, ldc, rows, nr, load);
  }

  /**
   * Whether {@link #tileOffsetBRowsA} has a register tile of its own, for full row panels. Where it has not,
   * the weights are better packed once than once per tile.
   *
   * @return false by default
   */
  default boolean offsetTileReadsARows() {
    return false;
  }

  /**
   * {@link #tileOffsetB} with A read in place, not packed: row {@code i} of the tile's A is {@code
   * a[aOff + i * lda .. + kc)}. For convolutions with few output panels (ResNet-18 at batch 1), where packing
   * the weights cost as much as the multiply that reads them. Same operations in the same order, so the
   * same bits; by default it packs the rows and calls {@link #tileOffsetB}.
   *
   * @param kc depth
   * @param a the array A's rows lie in
   * @param aOff row 0's first element
   * @param lda A's row stride
   * @param b the array B's rows lie in
   * @param bBase added to every offset for the first half of a row
   * @param bBase2 added to every offset for the second half
   * @param offs where each row of B starts, relative to bBase
   * @param offOff the offset of row 0 in offs
   * @param c the C array
   * @param cOff the tile's top-left element
   * @param ldc C's row stride
   * @param rows rows of the tile that exist (at most mr)
   * @param load whether to accumulate into C
   */
  default void tileOffsetBRowsA(int kc, float[] a, int aOff, int lda, float[] b, int bBase, int bBase2, int[] offs,
      int offOff, float[] c, int cOff, int ldc, int rows, boolean load) {
    int mr = mr();
    float[] panel = Scratch.get(Scratch.TILE_A, kc * mr);
    for (int i = 0; i < mr; i++) {
      for (int p = 0; p < kc; p++) {
        panel[p * mr + i] = i < rows ? a[aOff + i * lda + p] : 0f;
      }
    }
    tileOffsetB(kc, panel, 0, b, bBase, bBase2, offs, offOff, c, cOff, ldc, rows, load);
  }

  /**
   * {@code sum(x[off .. off + len))} exactly as {@link RowSums#sum} takes it (eight float lanes, combined in
   * double), so every provider gives the same bits; by default that very code.
   *
   * @param x the array
   * @param off first element
   * @param len elements
   * @return the sum
   */
  default double rowSum(float[] x, int off, int len) {
    return RowSums.sum(x, off, len);
  }

  /**
   * {@code sum((x - mean)^2)} over a row, exactly as {@link RowSums#sumSquaredDeviation} takes it.
   *
   * @param x the array
   * @param off first element
   * @param len elements
   * @param mean subtracted from each element
   * @return the sum
   */
  default double rowSumSquaredDeviation(float[] x, int off, int len, float mean) {
    return RowSums.sumSquaredDeviation(x, off, len, mean);
  }

  /**
   * {@code sum(g * (x - mean))} over rows of g and x at the same offset, exactly as
   * {@link RowSums#dotCentered} takes it.
   *
   * @param g the first array
   * @param x the second array
   * @param off first element of both
   * @param len elements
   * @param mean subtracted from each element of x
   * @return the sum
   */
  default double rowDotCentered(float[] g, float[] x, int off, int len, float mean) {
    return RowSums.dotCentered(g, x, off, len, mean);
  }
}
