package io.github.resnet4j.kernels;

import java.util.Arrays;

/**
 * Plain-Java kernels shaped for C2's auto-vectorizer, which (in JDK 17) only vectorizes a loop when
 * every array is indexed by the same expression and the loop is long. So the tile is 8 rows of 512
 * columns, each row and each B row used in a step is copied into its own array, and the inner loop
 * folds four steps of K into one read-modify-write of a row: {@code c[j] = fma(a3, b3[j], ... c[j])}.
 */
final class PlainKernels implements KernelProvider {
  static final PlainKernels INSTANCE = new PlainKernels();
  private static final int MR = 8;
  private static final int NR = 512;
  private static final int STEP = 4;
  /** Per thread: MR accumulator rows, then STEP rows of B. */
  private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> {
    float[][] r = new float[MR + STEP][];
    for (int i = 0; i < r.length; i++) {
      r[i] = new float[NR];
    }
    return r;
  });

  private PlainKernels() {}

  @Override
  public String name() {
    return "plain Java";
  }

  @Override
  public boolean vectorized() {
    return false;
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
    return false;
  }

  @Override
  public void tile(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int ldc,
      int rows, int cols, boolean load) {
    float[][] r = ROWS.get();
    for (int i = 0; i < rows; i++) {
      if (load) {
        System.arraycopy(c, cOff + i * ldc, r[i], 0, cols);
      } else {
        Arrays.fill(r[i], 0, cols, 0f);
      }
    }
    float[] b0 = r[MR];
    float[] b1 = r[MR + 1];
    float[] b2 = r[MR + 2];
    float[] b3 = r[MR + 3];
    int p = 0;
    for (; p + STEP <= kc; p += STEP) {
      int bp = bOff + p * NR;
      System.arraycopy(b, bp, b0, 0, cols);
      System.arraycopy(b, bp + NR, b1, 0, cols);
      System.arraycopy(b, bp + 2 * NR, b2, 0, cols);
      System.arraycopy(b, bp + 3 * NR, b3, 0, cols);
      int ap = aOff + p * MR;
      for (int i = 0; i < rows; i++) {
        step4(r[i], a[ap + i], a[ap + MR + i], a[ap + 2 * MR + i], a[ap + 3 * MR + i], b0, b1, b2, b3, cols);
      }
    }
    for (; p < kc; p++) {
      System.arraycopy(b, bOff + p * NR, b0, 0, cols);
      int ap = aOff + p * MR;
      for (int i = 0; i < rows; i++) {
        step1(r[i], a[ap + i], b0, cols);
      }
    }
    for (int i = 0; i < rows; i++) {
      System.arraycopy(r[i], 0, c, cOff + i * ldc, cols);
    }
  }

  private static void step4(float[] acc, float a0, float a1, float a2, float a3,
      float[] b0, float[] b1, float[] b2, float[] b3, int n) {
    for (int j = 0; j < n; j++) {
      acc[j] = Math.fma(a3, b3[j], Math.fma(a2, b2[j], Math.fma(a1, b1[j], Math.fma(a0, b0[j], acc[j]))));
    }
  }

  private static void step1(float[] acc, float a0, float[] b0, int n) {
    for (int j = 0; j < n; j++) {
      acc[j] = Math.fma(a0, b0[j], acc[j]);
    }
  }

  /**
   * Branch-free, because the signs of activations are as good as random and the branch mispredicts half
   * the time (4x slower, measured on 2M elements): x &gt; 0 exactly when its bits, as an int, lie in
   * [1, 0x7f800000] (positive, not +0, not NaN), and the mask keeps g's bits or gives +0 as the branch did.
   */
  @Override
  public void reluGrad(float[] x, int xOff, float[] g, int gOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      int bits = Float.floatToRawIntBits(x[xOff + i]);
      int keep = ~((bits - 1) | (0x7f800000 - bits)) >> 31;
      out[outOff + i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[gOff + i]) & keep);
    }
  }

  @Override
  public void firstMax(float[] best, int bestOff, float[] v, int vOff, int n) {
    for (int i = 0; i < n; i++) {
      float b = best[bestOff + i];
      float x = v[vOff + i];
      if (x > b || (x != x && b == b)) {
        best[bestOff + i] = x;
      }
    }
  }

  @Override
  public void fullWidthTileStridedB(int kc, float[] a, int aOff, float[] b, int bOff, int ldb, float[] c,
      int cOff, int ldc, int rows, boolean load) {
    float[] panel = new float[kc * NR];
    for (int p = 0; p < kc; p++) {
      System.arraycopy(b, bOff + p * ldb, panel, p * NR, NR);
    }
    tile(kc, a, aOff, panel, 0, c, cOff, ldc, rows, NR, load);
  }

  @Override
  public void copyRun(float[] src, int srcOff, float[] dst, int dstOff, int len, int lo, int hi) {
    // C2 leaves a 16-iteration copy loop scalar: arraycopy is 2.4x faster at that length.
    System.arraycopy(src, srcOff + lo, dst, dstOff + lo, hi - lo);
    Im2col.zeroMargins(dst, dstOff, lo, hi, len);
  }
}
