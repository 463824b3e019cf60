package io.github.resnet4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels: an {@code [MR, 2 * lanes]} register tile, {@code [8, 32]} with AVX-512 and
 * {@code [6, 16]} with AVX2, fed by two B loads and one A broadcast per row and step of K.
 *
 * <p>The tile is written out once per shape (6, 4 or 2 rows) and per source of its operands (B packed, B
 * rows {@code ldb} apart, B rows at a table of offsets; A packed or rows at a table of starts), so that each is
 * one straight loop over local vectors that C2 keeps in registers. The variants differ only in where a
 * step's A and B come from.
 *
 * <p>Loaded reflectively by {@link Kernels} only when jdk.incubator.vector is present.
 */
final class VectorKernels implements KernelProvider {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Int lanes matching {@link #S}'s, for lane-index masks. */
  private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());
  private static final int[] LANES = new int[L];

  static {
    for (int i = 0; i < L; i++) {
      LANES[i] = i;
    }
  }
  /**
   * 8 rows where there are 32 vector registers (AVX-512): 16 accumulators, 2 B vectors, 1 broadcast. With
   * 16 registers (AVX2) that tile spills 4 accumulators to the stack on every step of K, so 6 rows there.
   */
  private static final int MR = L >= 16 ? 8 : 6;
  private static final int NR = 2 * L;

  VectorKernels() {
    if (S.vectorBitSize() < 256) {
      throw new UnsupportedOperationException("preferred vectors are only " + S.vectorBitSize() + " bits");
    }
  }

  /**
   * Calls per tile shape: enough for C2's invocation thresholds (about 15,000 with tiered compilation),
   * after which the compiled tiles replace the interpreted ones as soon as C2 has built them.
   */
  static final int WARM_UP_CALLS = 20_000;
  private static final int[] WARM_UP_OFFSETS = {0, 0};
  private static final int[] WARM_UP_ROWS = {0, 1, 2, 3, 4, 5, 6, 7};

  /**
   * Until C2 compiles them, the tiles run the Vector API's Java fallback, which allocates an object for
   * every vector operation: about 2 GB in the first seconds of a ResNet-20 training run, during which the
   * step's activations are already live, so G1 grows the heap by 60 MiB or more to keep up. On tiny
   * operands the same call counts cost about 0.4 s and a few hundred MB of short-lived garbage, before any
   * activation exists.
   */
  @Override
  public void warmUp() {
    float[] a = new float[MR * 2];
    float[] b = new float[NR * 2];
    float[] c = new float[MR * NR];
    float[] x = new float[2 * L + 3];
    // Six rows of a vector and one more: the Winograd transforms' vector loops and their scalar tails.
    float[] rows = new float[6 * L + 1];
    float[] out = new float[6 * L + 1];
    for (int i = 0; i < WARM_UP_CALLS; i++) {
      boolean load = (i & 1) == 0;
      int kc = 1 + (i & 1);
      fullWidth(kc, a, 0, b, 0, NR, c, 0, NR, MR, load);
      fullWidth(kc, a, 0, b, 0, NR, c, 0, NR, 4, load);
      fullWidth(kc, a, 0, b, 0, NR, c, 0, NR, 2, load);
      reluGrad(x, 0, x, 0, x, 0, x.length);
      firstMax(x, 0, x, 0, x.length);
      copyRun(b, 0, b, NR, NR, 0, NR);
      copyRun(b, 0, b, NR, NR, 1, NR - 1);
      copyRun(x, 0, x, L, L + 3, 1, L);
      rowSum(x, 0, x.length);
      rowSumSquaredDeviation(x, 0, x.length, 1f);
      rowDotCentered(x, x, 0, x.length, 1f);
      rowWinogradIn(rows, 0, L, out, 0, L, 1, L + 1);
      rowWinogradOut(rows, 0, L, out, 0, L, L + 1);
      if (MR == 8) {
        full8RowsA(kc, b, 0, WARM_UP_ROWS, 0, b, 0, c, 0, NR, load);
        half8RowsA(kc, b, 0, 1, 2, 3, 4, 5, 6, 7, b, 0, c, 0, L, load);
        full8RowsAOffsets(kc, x, 0, 2, b, 0, L, WARM_UP_OFFSETS, 0, c, 0, NR, load);
        full8Offsets(kc, a, 0, b, 0, L, WARM_UP_OFFSETS, 0, c, 0, NR, load);
      } else {
        full6RowsA(kc, b, 0, WARM_UP_ROWS, 0, b, 0, c, 0, NR, load);
        full6Offsets(kc, a, 0, b, 0, L, WARM_UP_OFFSETS, 0, c, 0, NR, load);
      }
      full4Offsets(kc, a, 0, b, 0, L, WARM_UP_OFFSETS, 0, c, 0, NR, load);
      full2Offsets(kc, a, 0, b, 0, L, WARM_UP_OFFSETS, 0, c, 0, NR, load);
    }
  }

  @Override
  public String name() {
    return "Vector API (" + S.vectorBitSize() + "-bit)";
  }

  @Override
  public boolean vectorized() {
    return true;
  }

  @Override
  public int mr() {
    return MR;
  }

  @Override
  public int nr() {
    return NR;
  }

  @Override
  public boolean readsBPadding() {
    return true;
  }

  @Override
  public void tile(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc,
      int rows, int cols, boolean load) {
    if (cols == NR) {
      fullWidth(kc, a, aOff, b, bOff, NR, c, cOff, ldc, rows, load);
    } else {
      viaScratch(kc, a, aOff, b, bOff, NR, c, cOff, ldc, rows, cols, load);
    }
  }

  @Override
  public void fullWidthTileStridedB(int kc, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c,
      int cOff, int ldc, int rows, boolean load) {
    fullWidth(kc, a, aOff, b, bOff, ldb, c, cOff, ldc, rows, load);
  }

  /**
   * A tile as wide as the register tile: MR rows, or 4 or 2 (what 16, 32, 64... channels leave over
   * 6-row panels) in a register tile of their own, so a short panel neither computes rows it throws
   * away nor goes through scratch; other row counts go through scratch.
   */
  private static void fullWidth(int kc, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff,
      int ldc, int rows, boolean load) {
    if (rows == MR) {
      full(kc, a, aOff, b, bOff, ldb, c, cOff, ldc, load);
    } else if (rows == 4) {
      full4(kc, a, aOff, b, bOff, ldb, c, cOff, ldc, load);
    } else if (rows == 2) {
      full2(kc, a, aOff, b, bOff, ldb, c, cOff, ldc, load);
    } else {
      viaScratch(kc, a, aOff, b, bOff, ldb, c, cOff, ldc, rows, NR, load);
    }
  }

  /** A ragged tile goes through a full-size scratch tile; the padding lanes are discarded. */
  private static void viaScratch(int kc, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff,
      int ldc, int rows, int cols, boolean load) {
    float[] t = Scratch.get(Scratch.GEMM_EDGE, MR * NR);
    if (load) {
      for (int r = 0; r < rows; r++) {
        System.arraycopy(c, cOff + r * ldc, t, r * NR, cols);
      }
    }
    full(kc, a, aOff, b, bOff, ldb, t, 0, NR, load);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(t, r * NR, c, cOff + r * ldc, cols);
    }
  }

  private static void full(int kc, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff,
      int ldc, boolean load) {
    if (MR == 8) {
      full8(kc, a, aOff, b, bOff, ldb, c, cOff, ldc, load);
    } else {
      full6(kc, a, aOff, b, bOff, ldb, c, cOff, ldc, load);
    }
  }

  /** The first four rows of an MR-row A panel times a full-width B panel. */
  private static void full4(int kc, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff,
      int ldc, boolean load) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    FloatVector c20;
    FloatVector c21;
    FloatVector c30;
    FloatVector c31;
    if (load) {
      int r = cOff;
      c00 = FloatVector.fromArray(S, c, r);
      c01 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c10 = FloatVector.fromArray(S, c, r);
      c11 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c20 = FloatVector.fromArray(S, c, r);
      c21 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c30 = FloatVector.fromArray(S, c, r);
      c31 = FloatVector.fromArray(S, c, r + L);
    } else {
      FloatVector z = FloatVector.zero(S);
      c00 = z;
      c01 = z;
      c10 = z;
      c11 = z;
      c20 = z;
      c21 = z;
      c30 = z;
      c31 = z;
    }
    for (int p = 0; p < kc; p++) {
      int ap = aOff + p * MR;
      int bp = bOff + p * ldb;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector av = FloatVector.broadcast(S, a[ap]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(S, a[ap + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(S, a[ap + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(S, a[ap + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
    }
    int r = cOff;
    c00.intoArray(c, r);
    c01.intoArray(c, r + L);
    r += ldc;
    c10.intoArray(c, r);
    c11.intoArray(c, r + L);
    r += ldc;
    c20.intoArray(c, r);
    c21.intoArray(c, r + L);
    r += ldc;
    c30.intoArray(c, r);
    c31.intoArray(c, r + L);
  }

  /** The first two rows of an MR-row A panel times a full-width B panel. */
  private static void full2(int kc, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff,
      int ldc, boolean load) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    if (load) {
      c00 = FloatVector.fromArray(S, c, cOff);
      c01 = FloatVector.fromArray(S, c, cOff + L);
      c10 = FloatVector.fromArray(S, c, cOff + ldc);
      c11 = FloatVector.fromArray(S, c, cOff + ldc + L);
    } else {
      FloatVector z = FloatVector.zero(S);
      c00 = z;
      c01 = z;
      c10 = z;
      c11 = z;
    }
    for (int p = 0; p < kc; p++) {
      int ap = aOff + p * MR;
      int bp = bOff + p * ldb;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector av = FloatVector.broadcast(S, a[ap]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(S, a[ap + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
    }
    c00.intoArray(c, cOff);
    c01.intoArray(c, cOff + L);
    c10.intoArray(c, cOff + ldc);
    c11.intoArray(c, cOff + ldc + L);
  }

  private static void full8(int kc, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff,
      int ldc, boolean load) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    FloatVector c20;
    FloatVector c21;
    FloatVector c30;
    FloatVector c31;
    FloatVector c40;
    FloatVector c41;
    FloatVector c50;
    FloatVector c51;
    FloatVector c60;
    FloatVector c61;
    FloatVector c70;
    FloatVector c71;
    if (load) {
      int r = cOff;
      c00 = FloatVector.fromArray(S, c, r);
      c01 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c10 = FloatVector.fromArray(S, c, r);
      c11 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c20 = FloatVector.fromArray(S, c, r);
      c21 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c30 = FloatVector.fromArray(S, c, r);
      c31 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c40 = FloatVector.fromArray(S, c, r);
      c41 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c50 = FloatVector.fromArray(S, c, r);
      c51 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c60 = FloatVector.fromArray(S, c, r);
      c61 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c70 = FloatVector.fromArray(S, c, r);
      c71 = FloatVector.fromArray(S, c, r + L);
    } else {
      FloatVector z = FloatVector.zero(S);
      c00 = z;
      c01 = z;
      c10 = z;
      c11 = z;
      c20 = z;
      c21 = z;
      c30 = z;
      c31 = z;
      c40 = z;
      c41 = z;
      c50 = z;
      c51 = z;
      c60 = z;
      c61 = z;
      c70 = z;
      c71 = z;
    }
    // Indices linear in p (not separately incremented): C2 can hoist A's bounds checks, whose stride is a
    // constant; B's stride ldb is not, so its checks stay in the loop (about 2-4 % of the tile's samples).
    for (int p = 0; p < kc; p++) {
      int ap = aOff + p * 8;
      int bp = bOff + p * ldb;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector av = FloatVector.broadcast(S, a[ap]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(S, a[ap + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(S, a[ap + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(S, a[ap + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(S, a[ap + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(S, a[ap + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = FloatVector.broadcast(S, a[ap + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = FloatVector.broadcast(S, a[ap + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    int r = cOff;
    c00.intoArray(c, r);
    c01.intoArray(c, r + L);
    r += ldc;
    c10.intoArray(c, r);
    c11.intoArray(c, r + L);
    r += ldc;
    c20.intoArray(c, r);
    c21.intoArray(c, r + L);
    r += ldc;
    c30.intoArray(c, r);
    c31.intoArray(c, r + L);
    r += ldc;
    c40.intoArray(c, r);
    c41.intoArray(c, r + L);
    r += ldc;
    c50.intoArray(c, r);
    c51.intoArray(c, r + L);
    r += ldc;
    c60.intoArray(c, r);
    c61.intoArray(c, r + L);
    r += ldc;
    c70.intoArray(c, r);
    c71.intoArray(c, r + L);
  }

  private static void full6(int kc, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c, int cOff,
      int ldc, boolean load) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    FloatVector c20;
    FloatVector c21;
    FloatVector c30;
    FloatVector c31;
    FloatVector c40;
    FloatVector c41;
    FloatVector c50;
    FloatVector c51;
    if (load) {
      int r = cOff;
      c00 = FloatVector.fromArray(S, c, r);
      c01 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c10 = FloatVector.fromArray(S, c, r);
      c11 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c20 = FloatVector.fromArray(S, c, r);
      c21 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c30 = FloatVector.fromArray(S, c, r);
      c31 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c40 = FloatVector.fromArray(S, c, r);
      c41 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c50 = FloatVector.fromArray(S, c, r);
      c51 = FloatVector.fromArray(S, c, r + L);
    } else {
      FloatVector z = FloatVector.zero(S);
      c00 = z;
      c01 = z;
      c10 = z;
      c11 = z;
      c20 = z;
      c21 = z;
      c30 = z;
      c31 = z;
      c40 = z;
      c41 = z;
      c50 = z;
      c51 = z;
    }
    // Indices linear in p (not separately incremented): C2 can hoist A's bounds checks, whose stride is a
    // constant; B's stride ldb is not, so its checks stay in the loop (about 2-4 % of the tile's samples).
    for (int p = 0; p < kc; p++) {
      int ap = aOff + p * 6;
      int bp = bOff + p * ldb;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector av = FloatVector.broadcast(S, a[ap]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(S, a[ap + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(S, a[ap + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(S, a[ap + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(S, a[ap + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(S, a[ap + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
    }
    int r = cOff;
    c00.intoArray(c, r);
    c01.intoArray(c, r + L);
    r += ldc;
    c10.intoArray(c, r);
    c11.intoArray(c, r + L);
    r += ldc;
    c20.intoArray(c, r);
    c21.intoArray(c, r + L);
    r += ldc;
    c30.intoArray(c, r);
    c31.intoArray(c, r + L);
    r += ldc;
    c40.intoArray(c, r);
    c41.intoArray(c, r + L);
    r += ldc;
    c50.intoArray(c, r);
    c51.intoArray(c, r + L);
  }

  @Override
  public void reluGrad(float[] x, int xOff, float[] g, int gOff, float[] out, int outOff, int n) {
    FloatVector zero = FloatVector.zero(S);
    int i = 0;
    for (int bound = S.loopBound(n); i < bound; i += L) {
      FloatVector xv = FloatVector.fromArray(S, x, xOff + i);
      FloatVector gv = FloatVector.fromArray(S, g, gOff + i);
      zero.blend(gv, xv.compare(VectorOperators.GT, 0f)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = x[xOff + i] > 0f ? g[gOff + i] : 0f;
    }
  }

  @Override
  public void convEpilogue(float[] y, int off, int n, boolean addBias, float bias, float[] residualOrNull,
      boolean relu) {
    float[] r = residualOrNull;
    int i = off;
    int bound = off + S.loopBound(n);
    FloatVector zero = FloatVector.zero(S);
    // One loop per case, the vector never reassigned under a condition: with `if (addBias) v = v.add(b)` in one
    // loop, C2 boxed the vectors, 7.9 MB allocated per ResNet-20 inference at batch 128. Lanewise add and max
    // round as the scalar + and Math.max do.
    if (addBias) {
      FloatVector b = FloatVector.broadcast(S, bias);
      if (r != null && relu) {
        for (; i < bound; i += L) {
          FloatVector.fromArray(S, y, i).add(b).add(FloatVector.fromArray(S, r, i)).max(zero).intoArray(y, i);
        }
      } else if (r != null) {
        for (; i < bound; i += L) {
          FloatVector.fromArray(S, y, i).add(b).add(FloatVector.fromArray(S, r, i)).intoArray(y, i);
        }
      } else if (relu) {
        for (; i < bound; i += L) {
          FloatVector.fromArray(S, y, i).add(b).max(zero).intoArray(y, i);
        }
      } else {
        for (; i < bound; i += L) {
          FloatVector.fromArray(S, y, i).add(b).intoArray(y, i);
        }
      }
    } else if (r != null && relu) {
      for (; i < bound; i += L) {
        FloatVector.fromArray(S, y, i).add(FloatVector.fromArray(S, r, i)).max(zero).intoArray(y, i);
      }
    } else if (r != null) {
      for (; i < bound; i += L) {
        FloatVector.fromArray(S, y, i).add(FloatVector.fromArray(S, r, i)).intoArray(y, i);
      }
    } else if (relu) {
      for (; i < bound; i += L) {
        FloatVector.fromArray(S, y, i).max(zero).intoArray(y, i);
      }
    }
    KernelProvider.super.convEpilogue(y, i, off + n - i, addBias, bias, residualOrNull, relu);
  }

  @Override
  public void firstMax(float[] best, int bestOff, float[] v, int vOff, int n) {
    int i = 0;
    for (int bound = S.loopBound(n); i < bound; i += L) {
      FloatVector b = FloatVector.fromArray(S, best, bestOff + i);
      FloatVector x = FloatVector.fromArray(S, v, vOff + i);
      VectorMask<Float> take = x.compare(VectorOperators.GT, b)
          .or(x.test(VectorOperators.IS_NAN).andNot(b.test(VectorOperators.IS_NAN)));
      b.blend(x, take).intoArray(best, bestOff + i);
    }
    for (; i < n; i++) {
      float b = best[bestOff + i];
      float x = v[vOff + i];
      if (x > b || (x != x && b == b)) {
        best[bestOff + i] = x;
      }
    }
  }

  @Override
  public void rowWinogradIn(float[] x, int src, int pitch, float[] t, int dst, int stride, int tiles, int len) {
    int rows = tiles * pitch;
    for (int q = 0; q < tiles; q++) {
      int s = src + 4 * q * pitch;
      int d = dst + q * pitch;
      // Whole vectors, the last of a row spilling into the next row (written after it), not past the plane's last
      // row or x's end; one bound, so that C2 sees a counted loop and hoists the bounds checks.
      int last = Math.min(len - 1, Math.min(rows - q * pitch, x.length - s - 5 * pitch) - L);
      int u = 0;
      for (; u <= last; u += L) {
        FloatVector d0 = FloatVector.fromArray(S, x, s + u);
        FloatVector d1 = FloatVector.fromArray(S, x, s + pitch + u);
        FloatVector d2 = FloatVector.fromArray(S, x, s + 2 * pitch + u);
        FloatVector d3 = FloatVector.fromArray(S, x, s + 3 * pitch + u);
        FloatVector d4 = FloatVector.fromArray(S, x, s + 4 * pitch + u);
        FloatVector d5 = FloatVector.fromArray(S, x, s + 5 * pitch + u);
        // 2d, 4d and 5d as d + d, 2d + 2d and 4d + d (exact doublings, then one rounded sum: the products' bits).
        // With the constants 2, 4 and 5 broadcast before the loops, C2 boxed them: three vectors allocated per call,
        // 9 MB per ResNet-20 training step with its layers on this route, and young collections.
        FloatVector d2x2 = d2.add(d2);
        FloatVector d2x4 = d2x2.add(d2x2);
        FloatVector d1x2 = d1.add(d1);
        FloatVector d1x4 = d1x2.add(d1x2);
        FloatVector d3x2 = d3.add(d3);
        FloatVector p = d4.sub(d2x4);
        FloatVector pq = d3.sub(d1x4);
        FloatVector r = d4.sub(d2);
        FloatVector rs = d3.sub(d1);
        rs = rs.add(rs);
        FloatVector d0x2 = d0.add(d0);
        d0x2.add(d0x2).sub(d2x4.add(d2)).add(d4).intoArray(t, d + u);
        p.add(pq).intoArray(t, d + stride + u);
        p.sub(pq).intoArray(t, d + 2 * stride + u);
        r.add(rs).intoArray(t, d + 3 * stride + u);
        r.sub(rs).intoArray(t, d + 4 * stride + u);
        d1x4.sub(d3x2.add(d3x2).add(d3)).add(d5).intoArray(t, d + 5 * stride + u);
      }
      if (u < len) {
        KernelProvider.super.rowWinogradIn(x, s + u, pitch, t, d + u, stride, 1, len - u);
      }
    }
  }

  @Override
  public void rowWinogradOut(float[] m, int mOff, int mStride, float[] s, int sOff, int sStride, int len) {
    int u = 0;
    FloatVector two = FloatVector.broadcast(S, 2f);
    FloatVector four = FloatVector.broadcast(S, 4f);
    FloatVector eight = FloatVector.broadcast(S, 8f);
    for (; u + L <= len; u += L) {
      FloatVector m0 = FloatVector.fromArray(S, m, mOff + u);
      FloatVector m1 = FloatVector.fromArray(S, m, mOff + mStride + u);
      FloatVector m2 = FloatVector.fromArray(S, m, mOff + 2 * mStride + u);
      FloatVector m3 = FloatVector.fromArray(S, m, mOff + 3 * mStride + u);
      FloatVector m4 = FloatVector.fromArray(S, m, mOff + 4 * mStride + u);
      FloatVector m5 = FloatVector.fromArray(S, m, mOff + 5 * mStride + u);
      FloatVector a = m1.add(m2);
      FloatVector b = m1.sub(m2);
      FloatVector c = m3.add(m4);
      FloatVector e = m3.sub(m4);
      m0.add(a).add(c).intoArray(s, sOff + u);
      b.add(e.mul(two)).intoArray(s, sOff + sStride + u);
      a.add(c.mul(four)).intoArray(s, sOff + 2 * sStride + u);
      b.add(e.mul(eight)).add(m5).intoArray(s, sOff + 3 * sStride + u);
    }
    if (u < len) {
      KernelProvider.super.rowWinogradOut(m, mOff + u, mStride, s, sOff + u, sStride, len - u);
    }
  }

  @Override
  public void copyRun(float[] src, int srcOff, float[] dst, int dstOff, int len, int lo, int hi) {
    if (len == NR && lo == 0 && hi == NR) {
      // A full panel row without a loop: three times faster than a loop (1.3 vs 3.8 ns, from L1).
      FloatVector.fromArray(S, src, srcOff).intoArray(dst, dstOff);
      FloatVector.fromArray(S, src, srcOff + L).intoArray(dst, dstOff + L);
      return;
    }
    int u = 0;
    if (srcOff >= 0 && srcOff + len <= src.length) {
      // Whole vectors of the run, padded columns included (they hold the neighbouring row's or plane's
      // values) with zeros blended into those lanes: scalar zeroing after a vector store would stall the
      // tile's vector load of the same row (no store-to-load forwarding across the two).
      FloatVector zero = FloatVector.zero(S);
      IntVector lane = IntVector.fromArray(IS, LANES, 0);
      for (; u + L <= len; u += L) {
        FloatVector v = FloatVector.fromArray(S, src, srcOff + u);
        if (u < lo || u + L > hi) {
          v = zero.blend(v, inside(lane.add(u), lo, hi));
        }
        v.intoArray(dst, dstOff + u);
      }
    }
    // The tail shorter than a vector (a store of a whole one would overwrite the next run's columns).
    for (; u < len; u++) {
      dst[dstOff + u] = u >= lo && u < hi ? src[srcOff + u] : 0f;
    }
  }

  private static VectorMask<Float> inside(IntVector lane, int lo, int hi) {
    return lane.compare(VectorOperators.GE, lo).and(lane.compare(VectorOperators.LT, hi)).cast(S);
  }

  @Override
  public void tileRowsA(int kc, float[] a, int aBase, int[] rowStarts, int rowOff, float[] b, int bOff, float[] c,
      int cOff, int ldc, int rows, int cols, boolean load) {
    if (MR == 8 && rows == 8 && cols == NR) {
      full8RowsA(kc, a, aBase, rowStarts, rowOff, b, bOff, c, cOff, ldc, load);
    } else if (MR == 6 && rows == 6 && cols == NR) {
      full6RowsA(kc, a, aBase, rowStarts, rowOff, b, bOff, c, cOff, ldc, load);
    } else {
      KernelProvider.super.tileRowsA(kc, a, aBase, rowStarts, rowOff, b, bOff, c, cOff, ldc, rows, cols, load);
    }
  }

  @Override
  public boolean halfWidthRowsA() {
    return MR == 8;
  }

  @Override
  public void tileRowsAHalf(int kc, float[] a, int aBase, int[] rowStarts, int rowOff, float[] b, int bOff,
      float[] c, int cOff, int ldc, int rows, int cols, boolean load) {
    if (MR != 8) {
      KernelProvider.super.tileRowsAHalf(kc, a, aBase, rowStarts, rowOff, b, bOff, c, cOff, ldc, rows, cols, load);
      return;
    }
    // Missing rows read the last real one again, into rows of a scratch tile that are never copied out.
    int a0 = aBase + rowStarts[rowOff];
    int a1 = aBase + rowStarts[rowOff + Math.min(1, rows - 1)];
    int a2 = aBase + rowStarts[rowOff + Math.min(2, rows - 1)];
    int a3 = aBase + rowStarts[rowOff + Math.min(3, rows - 1)];
    int a4 = aBase + rowStarts[rowOff + Math.min(4, rows - 1)];
    int a5 = aBase + rowStarts[rowOff + Math.min(5, rows - 1)];
    int a6 = aBase + rowStarts[rowOff + Math.min(6, rows - 1)];
    int a7 = aBase + rowStarts[rowOff + Math.min(7, rows - 1)];
    if (rows == 8 && cols == L) {
      half8RowsA(kc, a, a0, a1, a2, a3, a4, a5, a6, a7, b, bOff, c, cOff, ldc, load);
      return;
    }
    float[] t = Scratch.get(Scratch.GEMM_EDGE, MR * NR);
    if (load) {
      for (int r = 0; r < rows; r++) {
        System.arraycopy(c, cOff + r * ldc, t, r * L, cols);
      }
    }
    half8RowsA(kc, a, a0, a1, a2, a3, a4, a5, a6, a7, b, bOff, t, 0, L, load);
    for (int r = 0; r < rows; r++) {
      System.arraycopy(t, r * L, c, cOff + r * ldc, cols);
    }
  }

  /** Eight A rows read in place at a0..a7 times a packed B panel one vector wide: eight accumulators. */
  private static void half8RowsA(int kc, float[] a, int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7,
      float[] b, int bOff, float[] c, int cOff, int ldc, boolean load) {
    FloatVector c0;
    FloatVector c1;
    FloatVector c2;
    FloatVector c3;
    FloatVector c4;
    FloatVector c5;
    FloatVector c6;
    FloatVector c7;
    if (load) {
      c0 = FloatVector.fromArray(S, c, cOff);
      c1 = FloatVector.fromArray(S, c, cOff + 1 * ldc);
      c2 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
      c3 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
      c4 = FloatVector.fromArray(S, c, cOff + 4 * ldc);
      c5 = FloatVector.fromArray(S, c, cOff + 5 * ldc);
      c6 = FloatVector.fromArray(S, c, cOff + 6 * ldc);
      c7 = FloatVector.fromArray(S, c, cOff + 7 * ldc);
    } else {
      FloatVector z = FloatVector.zero(S);
      c0 = z;
      c1 = z;
      c2 = z;
      c3 = z;
      c4 = z;
      c5 = z;
      c6 = z;
      c7 = z;
    }
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, b, bOff + p * L);
      c0 = FloatVector.broadcast(S, a[a0 + p]).fma(b0, c0);
      c1 = FloatVector.broadcast(S, a[a1 + p]).fma(b0, c1);
      c2 = FloatVector.broadcast(S, a[a2 + p]).fma(b0, c2);
      c3 = FloatVector.broadcast(S, a[a3 + p]).fma(b0, c3);
      c4 = FloatVector.broadcast(S, a[a4 + p]).fma(b0, c4);
      c5 = FloatVector.broadcast(S, a[a5 + p]).fma(b0, c5);
      c6 = FloatVector.broadcast(S, a[a6 + p]).fma(b0, c6);
      c7 = FloatVector.broadcast(S, a[a7 + p]).fma(b0, c7);
    }
    c0.intoArray(c, cOff);
    c1.intoArray(c, cOff + 1 * ldc);
    c2.intoArray(c, cOff + 2 * ldc);
    c3.intoArray(c, cOff + 3 * ldc);
    c4.intoArray(c, cOff + 4 * ldc);
    c5.intoArray(c, cOff + 5 * ldc);
    c6.intoArray(c, cOff + 6 * ldc);
    c7.intoArray(c, cOff + 7 * ldc);
  }

  /** {@link #full6} reading its six A rows in place, at a table of row starts, instead of from a packed panel. */
  private static void full6RowsA(int kc, float[] a, int aBase, int[] rowStarts, int rowOff, float[] b, int bOff,
      float[] c, int cOff, int ldc, boolean load) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    FloatVector c20;
    FloatVector c21;
    FloatVector c30;
    FloatVector c31;
    FloatVector c40;
    FloatVector c41;
    FloatVector c50;
    FloatVector c51;
    if (load) {
      int r = cOff;
      c00 = FloatVector.fromArray(S, c, r);
      c01 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c10 = FloatVector.fromArray(S, c, r);
      c11 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c20 = FloatVector.fromArray(S, c, r);
      c21 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c30 = FloatVector.fromArray(S, c, r);
      c31 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c40 = FloatVector.fromArray(S, c, r);
      c41 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c50 = FloatVector.fromArray(S, c, r);
      c51 = FloatVector.fromArray(S, c, r + L);
    } else {
      FloatVector z = FloatVector.zero(S);
      c00 = z;
      c01 = z;
      c10 = z;
      c11 = z;
      c20 = z;
      c21 = z;
      c30 = z;
      c31 = z;
      c40 = z;
      c41 = z;
      c50 = z;
      c51 = z;
    }
    int a0 = aBase + rowStarts[rowOff];
    int a1 = aBase + rowStarts[rowOff + 1];
    int a2 = aBase + rowStarts[rowOff + 2];
    int a3 = aBase + rowStarts[rowOff + 3];
    int a4 = aBase + rowStarts[rowOff + 4];
    int a5 = aBase + rowStarts[rowOff + 5];
    for (int p = 0; p < kc; p++) {
      int bp = bOff + p * NR;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector av = FloatVector.broadcast(S, a[a0 + p]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(S, a[a1 + p]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(S, a[a2 + p]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(S, a[a3 + p]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(S, a[a4 + p]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(S, a[a5 + p]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
    }
    int r = cOff;
    c00.intoArray(c, r);
    c01.intoArray(c, r + L);
    r += ldc;
    c10.intoArray(c, r);
    c11.intoArray(c, r + L);
    r += ldc;
    c20.intoArray(c, r);
    c21.intoArray(c, r + L);
    r += ldc;
    c30.intoArray(c, r);
    c31.intoArray(c, r + L);
    r += ldc;
    c40.intoArray(c, r);
    c41.intoArray(c, r + L);
    r += ldc;
    c50.intoArray(c, r);
    c51.intoArray(c, r + L);
  }

  /** {@link #full8} reading its eight A rows in place, at a table of row starts, instead of from a packed
   * panel. */
  private static void full8RowsA(int kc, float[] a, int aBase, int[] rowStarts, int rowOff, float[] b, int bOff,
      float[] c, int cOff, int ldc, boolean load) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    FloatVector c20;
    FloatVector c21;
    FloatVector c30;
    FloatVector c31;
    FloatVector c40;
    FloatVector c41;
    FloatVector c50;
    FloatVector c51;
    FloatVector c60;
    FloatVector c61;
    FloatVector c70;
    FloatVector c71;
    if (load) {
      int r = cOff;
      c00 = FloatVector.fromArray(S, c, r);
      c01 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c10 = FloatVector.fromArray(S, c, r);
      c11 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c20 = FloatVector.fromArray(S, c, r);
      c21 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c30 = FloatVector.fromArray(S, c, r);
      c31 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c40 = FloatVector.fromArray(S, c, r);
      c41 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c50 = FloatVector.fromArray(S, c, r);
      c51 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c60 = FloatVector.fromArray(S, c, r);
      c61 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c70 = FloatVector.fromArray(S, c, r);
      c71 = FloatVector.fromArray(S, c, r + L);
    } else {
      FloatVector z = FloatVector.zero(S);
      c00 = z;
      c01 = z;
      c10 = z;
      c11 = z;
      c20 = z;
      c21 = z;
      c30 = z;
      c31 = z;
      c40 = z;
      c41 = z;
      c50 = z;
      c51 = z;
      c60 = z;
      c61 = z;
      c70 = z;
      c71 = z;
    }
    int a0 = aBase + rowStarts[rowOff];
    int a1 = aBase + rowStarts[rowOff + 1];
    int a2 = aBase + rowStarts[rowOff + 2];
    int a3 = aBase + rowStarts[rowOff + 3];
    int a4 = aBase + rowStarts[rowOff + 4];
    int a5 = aBase + rowStarts[rowOff + 5];
    int a6 = aBase + rowStarts[rowOff + 6];
    int a7 = aBase + rowStarts[rowOff + 7];
    for (int p = 0; p < kc; p++) {
      int bp = bOff + p * NR;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector av = FloatVector.broadcast(S, a[a0 + p]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(S, a[a1 + p]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(S, a[a2 + p]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(S, a[a3 + p]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(S, a[a4 + p]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(S, a[a5 + p]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = FloatVector.broadcast(S, a[a6 + p]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = FloatVector.broadcast(S, a[a7 + p]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    int r = cOff;
    c00.intoArray(c, r);
    c01.intoArray(c, r + L);
    r += ldc;
    c10.intoArray(c, r);
    c11.intoArray(c, r + L);
    r += ldc;
    c20.intoArray(c, r);
    c21.intoArray(c, r + L);
    r += ldc;
    c30.intoArray(c, r);
    c31.intoArray(c, r + L);
    r += ldc;
    c40.intoArray(c, r);
    c41.intoArray(c, r + L);
    r += ldc;
    c50.intoArray(c, r);
    c51.intoArray(c, r + L);
    r += ldc;
    c60.intoArray(c, r);
    c61.intoArray(c, r + L);
    r += ldc;
    c70.intoArray(c, r);
    c71.intoArray(c, r + L);
  }

  @Override
  public void tileOffsetB(int kc, float[] a, int aOff, float[] b, int bBase, int bBase2, int[] offs, int offOff,
      float[] c, int cOff, int ldc, int rows, boolean load) {
    if (MR == 8 && rows == 8) {
      full8Offsets(kc, a, aOff, b, bBase, bBase2, offs, offOff, c, cOff, ldc, load);
    } else if (MR == 6 && rows == 6) {
      full6Offsets(kc, a, aOff, b, bBase, bBase2, offs, offOff, c, cOff, ldc, load);
    } else if (rows == 4) {
      full4Offsets(kc, a, aOff, b, bBase, bBase2, offs, offOff, c, cOff, ldc, load);
    } else if (rows == 2) {
      full2Offsets(kc, a, aOff, b, bBase, bBase2, offs, offOff, c, cOff, ldc, load);
    } else {
      KernelProvider.super.tileOffsetB(kc, a, aOff, b, bBase, bBase2, offs, offOff, c, cOff, ldc, rows, load);
    }
  }

  @Override
  public boolean offsetTileReadsARows() {
    return MR == 8;
  }

  @Override
  public void tileOffsetBRowsA(int kc, float[] a, int aOff, int lda, float[] b, int bBase, int bBase2, int[] offs,
      int offOff, float[] c, int cOff, int ldc, int rows, boolean load) {
    if (MR == 8 && rows == 8) {
      full8RowsAOffsets(kc, a, aOff, lda, b, bBase, bBase2, offs, offOff, c, cOff, ldc, load);
    } else {
      KernelProvider.super.tileOffsetBRowsA(kc, a, aOff, lda, b, bBase, bBase2, offs, offOff, c, cOff, ldc, rows,
          load);
    }
  }

  /** {@link #full8Offsets} reading its eight A rows in place, {@code lda} apart, instead of from a packed panel. */
  private static void full8RowsAOffsets(int kc, float[] a, int aOff, int lda, float[] b, int bBase, int bBase2,
      int[] offs, int offOff, float[] c, int cOff, int ldc, boolean load) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    FloatVector c20;
    FloatVector c21;
    FloatVector c30;
    FloatVector c31;
    FloatVector c40;
    FloatVector c41;
    FloatVector c50;
    FloatVector c51;
    FloatVector c60;
    FloatVector c61;
    FloatVector c70;
    FloatVector c71;
    if (load) {
      int r = cOff;
      c00 = FloatVector.fromArray(S, c, r);
      c01 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c10 = FloatVector.fromArray(S, c, r);
      c11 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c20 = FloatVector.fromArray(S, c, r);
      c21 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c30 = FloatVector.fromArray(S, c, r);
      c31 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c40 = FloatVector.fromArray(S, c, r);
      c41 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c50 = FloatVector.fromArray(S, c, r);
      c51 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c60 = FloatVector.fromArray(S, c, r);
      c61 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c70 = FloatVector.fromArray(S, c, r);
      c71 = FloatVector.fromArray(S, c, r + L);
    } else {
      FloatVector z = FloatVector.zero(S);
      c00 = z;
      c01 = z;
      c10 = z;
      c11 = z;
      c20 = z;
      c21 = z;
      c30 = z;
      c31 = z;
      c40 = z;
      c41 = z;
      c50 = z;
      c51 = z;
      c60 = z;
      c61 = z;
      c70 = z;
      c71 = z;
    }
    int a0 = aOff;
    int a1 = aOff + 1 * lda;
    int a2 = aOff + 2 * lda;
    int a3 = aOff + 3 * lda;
    int a4 = aOff + 4 * lda;
    int a5 = aOff + 5 * lda;
    int a6 = aOff + 6 * lda;
    int a7 = aOff + 7 * lda;
    for (int p = 0; p < kc; p++) {
      int off = offs[offOff + p];
      FloatVector b0 = FloatVector.fromArray(S, b, bBase + off);
      FloatVector b1 = FloatVector.fromArray(S, b, bBase2 + off);
      FloatVector av = FloatVector.broadcast(S, a[a0 + p]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(S, a[a1 + p]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(S, a[a2 + p]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(S, a[a3 + p]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(S, a[a4 + p]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(S, a[a5 + p]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = FloatVector.broadcast(S, a[a6 + p]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = FloatVector.broadcast(S, a[a7 + p]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    int r = cOff;
    c00.intoArray(c, r);
    c01.intoArray(c, r + L);
    r += ldc;
    c10.intoArray(c, r);
    c11.intoArray(c, r + L);
    r += ldc;
    c20.intoArray(c, r);
    c21.intoArray(c, r + L);
    r += ldc;
    c30.intoArray(c, r);
    c31.intoArray(c, r + L);
    r += ldc;
    c40.intoArray(c, r);
    c41.intoArray(c, r + L);
    r += ldc;
    c50.intoArray(c, r);
    c51.intoArray(c, r + L);
    r += ldc;
    c60.intoArray(c, r);
    c61.intoArray(c, r + L);
    r += ldc;
    c70.intoArray(c, r);
    c71.intoArray(c, r + L);
  }

  /** The 6-row register tile reading B row p at {@code b[bBase + offs[offOff + p]]}, its second half
   * at {@code bBase2}. */
  private static void full6Offsets(int kc, float[] a, int aOff, float[] b, int bBase, int bBase2, int[] offs,
      int offOff, float[] c, int cOff, int ldc, boolean load) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    FloatVector c20;
    FloatVector c21;
    FloatVector c30;
    FloatVector c31;
    FloatVector c40;
    FloatVector c41;
    FloatVector c50;
    FloatVector c51;
    if (load) {
      int r = cOff;
      c00 = FloatVector.fromArray(S, c, r);
      c01 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c10 = FloatVector.fromArray(S, c, r);
      c11 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c20 = FloatVector.fromArray(S, c, r);
      c21 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c30 = FloatVector.fromArray(S, c, r);
      c31 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c40 = FloatVector.fromArray(S, c, r);
      c41 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c50 = FloatVector.fromArray(S, c, r);
      c51 = FloatVector.fromArray(S, c, r + L);
    } else {
      FloatVector z = FloatVector.zero(S);
      c00 = z;
      c01 = z;
      c10 = z;
      c11 = z;
      c20 = z;
      c21 = z;
      c30 = z;
      c31 = z;
      c40 = z;
      c41 = z;
      c50 = z;
      c51 = z;
    }
    for (int p = 0; p < kc; p++) {
      int ap = aOff + p * MR;
      int off = offs[offOff + p];
      FloatVector b0 = FloatVector.fromArray(S, b, bBase + off);
      FloatVector b1 = FloatVector.fromArray(S, b, bBase2 + off);
      FloatVector av = FloatVector.broadcast(S, a[ap]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(S, a[ap + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(S, a[ap + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(S, a[ap + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(S, a[ap + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(S, a[ap + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
    }
    int r = cOff;
    c00.intoArray(c, r);
    c01.intoArray(c, r + L);
    r += ldc;
    c10.intoArray(c, r);
    c11.intoArray(c, r + L);
    r += ldc;
    c20.intoArray(c, r);
    c21.intoArray(c, r + L);
    r += ldc;
    c30.intoArray(c, r);
    c31.intoArray(c, r + L);
    r += ldc;
    c40.intoArray(c, r);
    c41.intoArray(c, r + L);
    r += ldc;
    c50.intoArray(c, r);
    c51.intoArray(c, r + L);
  }

  /** The 8-row register tile reading B row p at {@code b[bBase + offs[offOff + p]]}, its second half
   * at {@code bBase2}. */
  private static void full8Offsets(int kc, float[] a, int aOff, float[] b, int bBase, int bBase2, int[] offs,
      int offOff, float[] c, int cOff, int ldc, boolean load) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    FloatVector c20;
    FloatVector c21;
    FloatVector c30;
    FloatVector c31;
    FloatVector c40;
    FloatVector c41;
    FloatVector c50;
    FloatVector c51;
    FloatVector c60;
    FloatVector c61;
    FloatVector c70;
    FloatVector c71;
    if (load) {
      int r = cOff;
      c00 = FloatVector.fromArray(S, c, r);
      c01 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c10 = FloatVector.fromArray(S, c, r);
      c11 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c20 = FloatVector.fromArray(S, c, r);
      c21 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c30 = FloatVector.fromArray(S, c, r);
      c31 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c40 = FloatVector.fromArray(S, c, r);
      c41 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c50 = FloatVector.fromArray(S, c, r);
      c51 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c60 = FloatVector.fromArray(S, c, r);
      c61 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c70 = FloatVector.fromArray(S, c, r);
      c71 = FloatVector.fromArray(S, c, r + L);
    } else {
      FloatVector z = FloatVector.zero(S);
      c00 = z;
      c01 = z;
      c10 = z;
      c11 = z;
      c20 = z;
      c21 = z;
      c30 = z;
      c31 = z;
      c40 = z;
      c41 = z;
      c50 = z;
      c51 = z;
      c60 = z;
      c61 = z;
      c70 = z;
      c71 = z;
    }
    for (int p = 0; p < kc; p++) {
      int ap = aOff + p * MR;
      int off = offs[offOff + p];
      FloatVector b0 = FloatVector.fromArray(S, b, bBase + off);
      FloatVector b1 = FloatVector.fromArray(S, b, bBase2 + off);
      FloatVector av = FloatVector.broadcast(S, a[ap]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(S, a[ap + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(S, a[ap + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(S, a[ap + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
      av = FloatVector.broadcast(S, a[ap + 4]);
      c40 = av.fma(b0, c40);
      c41 = av.fma(b1, c41);
      av = FloatVector.broadcast(S, a[ap + 5]);
      c50 = av.fma(b0, c50);
      c51 = av.fma(b1, c51);
      av = FloatVector.broadcast(S, a[ap + 6]);
      c60 = av.fma(b0, c60);
      c61 = av.fma(b1, c61);
      av = FloatVector.broadcast(S, a[ap + 7]);
      c70 = av.fma(b0, c70);
      c71 = av.fma(b1, c71);
    }
    int r = cOff;
    c00.intoArray(c, r);
    c01.intoArray(c, r + L);
    r += ldc;
    c10.intoArray(c, r);
    c11.intoArray(c, r + L);
    r += ldc;
    c20.intoArray(c, r);
    c21.intoArray(c, r + L);
    r += ldc;
    c30.intoArray(c, r);
    c31.intoArray(c, r + L);
    r += ldc;
    c40.intoArray(c, r);
    c41.intoArray(c, r + L);
    r += ldc;
    c50.intoArray(c, r);
    c51.intoArray(c, r + L);
    r += ldc;
    c60.intoArray(c, r);
    c61.intoArray(c, r + L);
    r += ldc;
    c70.intoArray(c, r);
    c71.intoArray(c, r + L);
  }

  /** The 4-row register tile reading B row p at {@code b[bBase + offs[offOff + p]]}, its second half
   * at {@code bBase2}. */
  private static void full4Offsets(int kc, float[] a, int aOff, float[] b, int bBase, int bBase2, int[] offs,
      int offOff, float[] c, int cOff, int ldc, boolean load) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    FloatVector c20;
    FloatVector c21;
    FloatVector c30;
    FloatVector c31;
    if (load) {
      int r = cOff;
      c00 = FloatVector.fromArray(S, c, r);
      c01 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c10 = FloatVector.fromArray(S, c, r);
      c11 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c20 = FloatVector.fromArray(S, c, r);
      c21 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c30 = FloatVector.fromArray(S, c, r);
      c31 = FloatVector.fromArray(S, c, r + L);
    } else {
      FloatVector z = FloatVector.zero(S);
      c00 = z;
      c01 = z;
      c10 = z;
      c11 = z;
      c20 = z;
      c21 = z;
      c30 = z;
      c31 = z;
    }
    for (int p = 0; p < kc; p++) {
      int ap = aOff + p * MR;
      int off = offs[offOff + p];
      FloatVector b0 = FloatVector.fromArray(S, b, bBase + off);
      FloatVector b1 = FloatVector.fromArray(S, b, bBase2 + off);
      FloatVector av = FloatVector.broadcast(S, a[ap]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(S, a[ap + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
      av = FloatVector.broadcast(S, a[ap + 2]);
      c20 = av.fma(b0, c20);
      c21 = av.fma(b1, c21);
      av = FloatVector.broadcast(S, a[ap + 3]);
      c30 = av.fma(b0, c30);
      c31 = av.fma(b1, c31);
    }
    int r = cOff;
    c00.intoArray(c, r);
    c01.intoArray(c, r + L);
    r += ldc;
    c10.intoArray(c, r);
    c11.intoArray(c, r + L);
    r += ldc;
    c20.intoArray(c, r);
    c21.intoArray(c, r + L);
    r += ldc;
    c30.intoArray(c, r);
    c31.intoArray(c, r + L);
  }

  /** The 2-row register tile reading B row p at {@code b[bBase + offs[offOff + p]]}, its second half
   * at {@code bBase2}. */
  private static void full2Offsets(int kc, float[] a, int aOff, float[] b, int bBase, int bBase2, int[] offs,
      int offOff, float[] c, int cOff, int ldc, boolean load) {
    FloatVector c00;
    FloatVector c01;
    FloatVector c10;
    FloatVector c11;
    if (load) {
      int r = cOff;
      c00 = FloatVector.fromArray(S, c, r);
      c01 = FloatVector.fromArray(S, c, r + L);
      r += ldc;
      c10 = FloatVector.fromArray(S, c, r);
      c11 = FloatVector.fromArray(S, c, r + L);
    } else {
      FloatVector z = FloatVector.zero(S);
      c00 = z;
      c01 = z;
      c10 = z;
      c11 = z;
    }
    for (int p = 0; p < kc; p++) {
      int ap = aOff + p * MR;
      int off = offs[offOff + p];
      FloatVector b0 = FloatVector.fromArray(S, b, bBase + off);
      FloatVector b1 = FloatVector.fromArray(S, b, bBase2 + off);
      FloatVector av = FloatVector.broadcast(S, a[ap]);
      c00 = av.fma(b0, c00);
      c01 = av.fma(b1, c01);
      av = FloatVector.broadcast(S, a[ap + 1]);
      c10 = av.fma(b0, c10);
      c11 = av.fma(b1, c11);
    }
    int r = cOff;
    c00.intoArray(c, r);
    c01.intoArray(c, r + L);
    r += ldc;
    c10.intoArray(c, r);
    c11.intoArray(c, r + L);
  }

  /** RowSums' eight accumulators are the lanes of one 256-bit vector (every provider here has at least that). */
  private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;

  @Override
  public double rowSum(float[] x, int off, int len) {
    FloatVector acc = FloatVector.zero(S8);
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      acc = acc.add(FloatVector.fromArray(S8, x, off + i));
    }
    double s = combine(acc);
    for (; i < len; i++) {
      s += x[off + i];
    }
    return s;
  }

  @Override
  public double rowSumSquaredDeviation(float[] x, int off, int len, float mean) {
    FloatVector acc = FloatVector.zero(S8);
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      FloatVector d = FloatVector.fromArray(S8, x, off + i).sub(mean);
      acc = d.fma(d, acc);
    }
    double s = combine(acc);
    for (; i < len; i++) {
      double d = x[off + i] - mean;
      s += d * d;
    }
    return s;
  }

  @Override
  public double rowDotCentered(float[] g, float[] x, int off, int len, float mean) {
    FloatVector acc = FloatVector.zero(S8);
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      acc = FloatVector.fromArray(S8, g, off + i).fma(FloatVector.fromArray(S8, x, off + i).sub(mean), acc);
    }
    double s = combine(acc);
    for (; i < len; i++) {
      s += (double) g[off + i] * (x[off + i] - mean);
    }
    return s;
  }

  /** The lanes summed in RowSums' order. */
  private static double combine(FloatVector acc) {
    return ((double) acc.lane(0) + acc.lane(1)) + ((double) acc.lane(2) + acc.lane(3))
        + ((double) acc.lane(4) + acc.lane(5)) + ((double) acc.lane(6) + acc.lane(7));
  }
}
