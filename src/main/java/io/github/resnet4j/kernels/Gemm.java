package io.github.resnet4j.kernels;

/** Single-precision matrix multiply (placeholder naive loops; replaced by the packed kernels). */
public final class Gemm {
  private Gemm() {}

  /**
   * {@code C = op(A) * op(B) + beta * C}, all row-major, where op(X) is X or its transpose.
   *
   * @param transA whether A is stored as [K, M] (read transposed)
   * @param transB whether B is stored as [N, K] (read transposed)
   * @param m rows of C
   * @param n columns of C
   * @param k the shared dimension
   * @param a A's array
   * @param aOff index of A's first element
   * @param lda A's row stride
   * @param b B's array
   * @param bOff index of B's first element
   * @param ldb B's row stride
   * @param beta 0 to overwrite C, 1 to accumulate into it
   * @param c C's array
   * @param cOff index of C's first element
   * @param ldc C's row stride
   */
  public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0;
        for (int p = 0; p < k; p++) {
          float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          s += av * bv;
        }
        int ci = cOff + i * ldc + j;
        c[ci] = beta == 0 ? s : beta * c[ci] + s;
      }
    }
  }
}
