package io.github.resnet4j.kernels;

/**
 * GEMM without packing, for products too small to repay it. Each C element is the same fma chain over
 * K as in {@link BlockedGemm}, so switching paths never changes a result.
 */
final class SmallGemm {
  private SmallGemm() {}

  static void run(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb, boolean accumulate, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * ldc;
      if (transB) {
        for (int j = 0; j < n; j++) {
          float s = accumulate ? c[ci + j] : 0f;
          int bj = bOff + j * ldb;
          for (int p = 0; p < k; p++) {
            s = Math.fma(transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p], b[bj + p], s);
          }
          c[ci + j] = s;
        }
      } else {
        if (!accumulate) {
          java.util.Arrays.fill(c, ci, ci + n, 0f);
        }
        // i-p-j order: the j loop is a unit-stride fma that C2 vectorizes.
        for (int p = 0; p < k; p++) {
          float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          axpy(av, b, bOff + p * ldb, c, ci, n);
        }
      }
    }
  }

  private static void axpy(float av, float[] b, int bo, float[] c, int co, int n) {
    for (int j = 0; j < n; j++) {
      c[co + j] = Math.fma(av, b[bo + j], c[co + j]);
    }
  }
}
