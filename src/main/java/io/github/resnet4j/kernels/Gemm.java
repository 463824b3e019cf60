package io.github.resnet4j.kernels;

import java.util.Arrays;

/**
 * Single-precision matrix multiply {@code C = op(A) * op(B) + beta * C}.
 *
 * <p>Each element of C is one chain of fused multiply-adds over K in increasing order, starting at 0
 * ({@code beta = 0}) or at the old C value ({@code beta = 1}); the result is therefore bit-identical
 * whichever kernels (Vector API or plain), blocking or thread count run it.
 */
public final class Gemm {
  /** Products up to this many multiply-adds skip packing; packing costs more than it saves. */
  static final long SMALL_MACS = 48L * 48 * 48;

  private Gemm() {}

  /**
   * {@code C = op(A) * op(B) + beta * C}, all row-major, where op(X) is X or its transpose; op(A) is
   * {@code [m, k]}, op(B) is {@code [k, n]} and C is {@code [m, n]}.
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
   * @param beta 0 to overwrite C (its old contents, even NaN, are ignored), 1 to accumulate into it;
   *     other values scale C first
   * @param c C's array
   * @param cOff index of C's first element
   * @param ldc C's row stride
   */
  public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    sgemm(Kernels.PROVIDER, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  /** {@link #sgemm(boolean, boolean, int, int, int, float[], int, int, float[], int, int, float, float[], int, int)} with the given kernels. */
  static void sgemm(KernelProvider kp, boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("negative size: m=" + m + ", n=" + n + ", k=" + k);
    }
    if (m == 0 || n == 0) {
      return;
    }
    if (ldc < n) {
      throw new IllegalArgumentException("ldc=" + ldc + " < n=" + n);
    }
    if (lda < (transA ? m : k) || ldb < (transB ? k : n)) {
      throw new IllegalArgumentException("lda=" + lda + " or ldb=" + ldb + " too small for m=" + m
          + ", n=" + n + ", k=" + k + ", transA=" + transA + ", transB=" + transB);
    }
    boolean accumulate = beta != 0f;
    if (accumulate && beta != 1f) {
      for (int i = 0; i < m; i++) {
        for (int j = 0, ci = cOff + i * ldc; j < n; j++) {
          c[ci + j] *= beta;
        }
      }
    }
    if (k == 0) {
      if (!accumulate) {
        for (int i = 0; i < m; i++) {
          Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        }
      }
      return;
    }
    if ((long) m * n * k <= SMALL_MACS || m == 1 || n == 1) {
      SmallGemm.run(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
    } else {
      BlockedGemm.run(kp, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
    }
  }
}
