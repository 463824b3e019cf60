package io.github.resnet4j.kernels;

import java.util.Arrays;

/**
 * Copies blocks of op(A) and op(B) into the panel layouts the register tiles read sequentially,
 * zero-padding the ragged last panel so the tile code never needs bounds logic.
 */
final class Packing {
  private Packing() {}

  /**
   * Packs rows {@code [i0, i0 + mr)} and depth {@code [p0, p0 + kc)} of op(A), where {@code rows <= mr}
   * rows are real, into {@code dst[dOff ..]} laid out {@code [kc, mr]}.
   */
  static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int rows, int p0, int kc,
      int mr, float[] dst, int dOff) {
    if (transA) {
      // op(A)(i, p) = a[p * lda + i]: each depth step is a contiguous run of rows.
      for (int p = 0; p < kc; p++) {
        int src = aOff + (p0 + p) * lda + i0;
        int d = dOff + p * mr;
        System.arraycopy(a, src, dst, d, rows);
        if (rows < mr) {
          Arrays.fill(dst, d + rows, d + mr, 0f);
        }
      }
    } else {
      for (int i = 0; i < rows; i++) {
        int src = aOff + (i0 + i) * lda + p0;
        int d = dOff + i;
        for (int p = 0; p < kc; p++, d += mr) {
          dst[d] = a[src + p];
        }
      }
      for (int i = rows; i < mr; i++) {
        for (int p = 0, d = dOff + i; p < kc; p++, d += mr) {
          dst[d] = 0f;
        }
      }
    }
  }

  /**
   * Packs columns {@code [j0, j0 + nr)} (of which {@code cols} are real) and depth
   * {@code [p0, p0 + kc)} of op(B) into {@code dst[dOff ..]} laid out {@code [kc, nr]}.
   */
  static void packB(boolean transB, float[] b, int bOff, int ldb, int j0, int cols, int p0, int kc,
      int nr, float[] dst, int dOff) {
    if (transB) {
      // A transpose: blocks of 16 depth steps keep the cols source lines in L1 while every write row of
      // the panel is filled left to right.
      for (int pb = 0; pb < kc; pb += 16) {
        int pe = Math.min(kc, pb + 16);
        for (int j = 0; j < cols; j++) {
          int src = bOff + (j0 + j) * ldb + p0;
          for (int p = pb; p < pe; p++) {
            dst[dOff + p * nr + j] = b[src + p];
          }
        }
      }
      for (int j = cols; j < nr; j++) {
        for (int p = 0, d = dOff + j; p < kc; p++, d += nr) {
          dst[d] = 0f;
        }
      }
    } else {
      for (int p = 0; p < kc; p++) {
        int src = bOff + (p0 + p) * ldb + j0;
        int d = dOff + p * nr;
        System.arraycopy(b, src, dst, d, cols);
        if (cols < nr) {
          Arrays.fill(dst, d + cols, d + nr, 0f);
        }
      }
    }
  }
}
